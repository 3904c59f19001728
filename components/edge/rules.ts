/**
 * The edge's rulesets as data (Rulesets API, zone phase entry points): what the WAF executes, the
 * rate limit and the HTTP DDoS override. Managed ruleset and rule ids are Cloudflare's global,
 * documented constants:
 * - https://developers.cloudflare.com/waf/managed-rules/ (Cloudflare Managed Ruleset, OWASP Core Ruleset)
 * - https://developers.cloudflare.com/waf/managed-rules/reference/owasp-core-ruleset/ (its last rule,
 *   "949110: Inbound Anomaly Score Exceeded", decides by the score threshold)
 * - https://developers.cloudflare.com/ddos-protection/managed-rulesets/http/ (HTTP DDoS Attack Protection)
 */
import type * as cloudflare from "./sdk";

type Rule = cloudflare.types.input.RulesetRule;

export const managedRulesetId = "efb7b8c949ac4650a09736fc376e9aee";
export const owaspRulesetId = "4814384a9e5d4991b9815dcfc25d2f1f";
export const owaspAnomalyRuleId = "6179ae15870a4bb7b2d480d4843b323c";
export const httpDdosRulesetId = "4d21379b4f9f4bb088e0729962c8b3cf";
/**
 * OWASP anomaly score at which a request is blocked: Cloudflare's "Medium" threshold (40). "High"
 * (25) blocks more false positives on invoice and GST payloads; "Low" (60) lets more through.
 */
export const owaspScoreThreshold = 40;

/** Both WAF managed rulesets in blocking mode, on every proxied request of the zone. */
export function wafRules(): Rule[] {
    return [
        {
            ref: "cloudflare_managed",
            description: "Cloudflare Managed Ruleset, blocking",
            expression: "true",
            action: "execute",
            actionParameters: { id: managedRulesetId, overrides: { action: "block" } },
        },
        {
            ref: "owasp_core",
            description: `OWASP Core Ruleset, blocking at anomaly score ${owaspScoreThreshold}`,
            expression: "true",
            action: "execute",
            actionParameters: {
                id: owaspRulesetId,
                // The ruleset's member rules only add to the score; the last one acts on it.
                overrides: { rules: [{ id: owaspAnomalyRuleId, action: "block", scoreThreshold: owaspScoreThreshold }] },
            },
        },
    ];
}

/**
 * The API's own limit at the edge: `perMinute` requests per client IP per minute on the API host,
 * then 429 for a minute. `cf.colo.id` is mandatory in the characteristics: Cloudflare counts per
 * data centre.
 */
/** Login attempts per minute per client IP on Kibana: enough for people, too few for guessing. */
export const kibanaLoginsPerMinute = 10;

export function rateLimitRules(apiHostname: string, perMinute: number, kibanaHostname: string): Rule[] {
    return [{
        ref: "api_rate_limit",
        description: `${perMinute} requests per minute per client IP on ${apiHostname}`,
        expression: `(http.host eq "${apiHostname}")`,
        action: "block",
        actionParameters: { response: { statusCode: 429, contentType: "application/json", content: "{\"error\":\"rate limit exceeded\"}" } },
        ratelimit: { characteristics: ["cf.colo.id", "ip.src"], period: 60, requestsPerPeriod: perMinute, mitigationTimeout: 60 },
    }, {
        // Kibana's form logs in through this route, as a native-realm user that has no lockout.
        ref: "kibana_login_rate_limit",
        description: `${kibanaLoginsPerMinute} login attempts per minute per client IP on ${kibanaHostname}`,
        expression: `(http.host eq "${kibanaHostname}" and http.request.uri.path eq "/internal/security/login")`,
        action: "block",
        ratelimit: { characteristics: ["cf.colo.id", "ip.src"], period: 60, requestsPerPeriod: kibanaLoginsPerMinute, mitigationTimeout: 60 },
    }];
}

/** The HTTP DDoS managed ruleset (on by default in every zone) at the stack's sensitivity. */
export function ddosRules(sensitivity: string): Rule[] {
    return [{
        ref: "http_ddos",
        description: `HTTP DDoS Attack Protection at sensitivity ${sensitivity}`,
        expression: "true",
        action: "execute",
        actionParameters: { id: httpDdosRulesetId, overrides: { sensitivityLevel: sensitivity } },
    }];
}
