/**
 * Bootstrap prerequisites: what a person must do in the account before, during or after the first
 * `pulumi up` of this plan, as ONE numbered checklist. Most steps are derived from the plan itself
 * (opt-in regions, APIs, delegations, quotas, the API path); the few that only the stack config
 * knows come from the clouds' own step functions (components/aws|gcp/bootstrap.ts) and are merged
 * in here, so no step exists in two places.
 */
import type { Props } from "../../policies/helpers";
import { QuotaRow } from "./quotas";
import { PreflightResource, regionOf } from "./resources";

/** When a step is taken: the checklist prints them in this order. */
export const stepPhases = ["before-up", "after-first-up", "before-destroy"] as const;
export type StepPhase = typeof stepPhases[number];

export interface BootstrapStep {
    /** A short, stable id (tests and the README refer to it). */
    readonly id: string;
    readonly text: string;
    /** The command that does it (or checks it), where one does. */
    readonly command?: string;
    readonly when: StepPhase;
}

/** AWS regions that must be enabled in an account before use (all opt-in regions that are in India). */
const awsOptInRegions = ["ap-south-2"];

function parentOf(domain: string): string | undefined {
    const labels = domain.replace(/\.$/, "").split(".");
    return labels.length > 2 ? labels.slice(1).join(".") : undefined;
}

function delegation(dnsName: string, cloud: "aws" | "gcp", zoneResource: string, zoneUrn: string, dnssec: boolean): BootstrapStep {
    const zone = dnsName.replace(/\.$/, "");
    const parent = parentOf(zone);
    const nameServers = cloud === "aws"
        ? `the four name servers of the new hosted zone (\`aws route53 get-hosted-zone --id <zone id> --query DelegationSet.NameServers\`)`
        : `the name servers of the new managed zone (\`gcloud dns managed-zones describe ${zoneResource} --format='value(nameServers)'\`)`;
    const what = parent ? `create an NS record set for ${zone} in the parent zone ${parent} with` : `set the domain's name servers at the registrar of ${zone} to`;
    const validators = cloud === "aws" ? "ACM DNS validation, cert-manager DNS-01" : "the managed certificate, cert-manager DNS-01";
    const ds = dnssec ? `; DNSSEC is on, so add the DS record too (\`gcloud dns dns-keys list --zone ${zoneResource}\`)` : "";
    return {
        id: `delegate-${zone}`,
        text: `Delegate ${zone}: ${what} ${nameServers}${ds}. Certificates validate through this zone ` +
            `(${validators}), so create the zone first, delegate it, wait until \`dig NS ${zone}\` answers with those servers, then run the full \`pulumi up\`.`,
        command: `pulumi up --target '${zoneUrn}'`,
        when: "before-up",
    };
}

/**
 * The Cloudflare edge's zone: the deploy's token and entitlement first, then the delegation that
 * makes Cloudflare authoritative (the cloud's own zone is then not delegated; docs/edge.md).
 */
function edgeSteps(zone: PreflightResource, regional: boolean, plan: string | undefined): BootstrapStep[] {
    const name = String(zone.inputs.name);
    const parent = parentOf(name);
    const what = parent ? `create NS records for ${name} in the parent zone ${parent} (Cloudflare) with` : `set the domain's name servers at the registrar of ${name} to`;
    return [
        {
            id: "cloudflare-account",
            text: `In Cloudflare account ${zone.inputs.account?.id}: ${regional ? "the Enterprise plan with the Data Localization Suite (Regional Services; without it every RegionalHostname fails to create), and " : ""}` +
                (plan ? `a zone entitlement for the ${plan} plan, which the stack's ZoneSubscription gives the new zone before any ruleset (a zone created through the API starts on Free; ` +
                    "Enterprise zones come from the account team's contract, Pro and Business are billed to the account's payment method), and " : "") +
                "an API token for the deploy (zone create and settings, DNS, WAF and rulesets, SSL, Regional Services, account API tokens, zone billing), stored as a stack secret.",
            command: "pulumi config set --secret cloudflare:apiToken <token>",
            when: "before-up",
        },
        {
            id: `delegate-${name}`,
            text: `Delegate ${name} to Cloudflare: create the zone first, then ${what} its two name servers (stack output \`nameServers\`), and wait until ` +
                `\`dig NS ${name}\` answers with them. Cloudflare activates the zone and issues edge certificates only then, and cert-manager's DNS-01 and ` +
                "the CDN certificate's validation go through it; the cloud's own DNS zone is not delegated.",
            command: `pulumi up --target '${zone.urn}'`,
            when: "before-up",
        },
    ];
}

/** Names of the zones the plan delegates itself (an NS record in a parent zone it may write). */
function selfDelegated(resources: readonly PreflightResource[]): Set<string> {
    return new Set(resources.filter(r => r.type === "aws:route53/record:Record" && r.inputs.type === "NS").map(r => String(r.inputs.name).replace(/\.$/, "")));
}

function quotaStep(q: QuotaRow, project: string | undefined): BootstrapStep {
    const need = Math.max(q.used, q.usedAtMaximum);
    const command = q.request
        ? `aws service-quotas request-service-quota-increase --region ${q.region} --service-code ${q.request.service} --quota-code ${q.request.code} --desired-value ${need}`
        : `gcloud compute regions describe ${q.region}${project ? ` --project ${project}` : ""} --format="value(quotas)"`;
    return {
        id: `quota-${q.key}`,
        text: `Raise ${q.quota} in ${q.region} to at least ${need} ${q.unit} (this plan needs ${q.used}${q.usedAtMaximum !== q.used ? `, ${q.usedAtMaximum} at the node maximum` : ""}; ` +
            `the ${q.limitFrom === "default" ? "default for a new account" : "value in bookkeep:quotas"} is ${q.limit}), then set \`bookkeep:quotas.${q.key}: ${need}\` in the stack file.`,
        command, when: "before-up",
    };
}

/**
 * The checklist: the plan's own steps, then `configSteps` (the cloud's steps only the stack config
 * knows), ordered by phase. Two steps with one id are a bug in the split, so it throws.
 */
export function bootstrap(resources: readonly PreflightResource[], quotaRows: readonly QuotaRow[], configSteps: readonly BootstrapStep[] = []): BootstrapStep[] {
    const byUrn = new Map(resources.map(r => [r.urn, r]));
    const steps: BootstrapStep[] = [];
    const regions = new Set(resources.filter(r => r.type === "pulumi:providers:aws").map(r => String(r.inputs.region)));
    const home = resources.filter(r => r.type === "aws:eks/cluster:Cluster" || r.type === "aws:rds/instance:Instance").map(r => regionOf(r, byUrn)).find(x => x);
    for (const region of awsOptInRegions.filter(r => regions.has(r))) {
        const replicated = home && resources.some(r => r.type === "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication" && regionOf(r, byUrn) === region);
        steps.push({
            id: `opt-in-${region}`,
            text: `Enable the opt-in region ${region}: \`aws account enable-region --region-name ${region}\`, then wait until ` +
                `\`aws account get-region-opt-status --region-name ${region}\` says ENABLED (backup copies and their KMS key live there)` +
                (replicated ? `; then confirm that RDS replicates automated backups from ${home} into it (the last command must print true).` : "."),
            ...(replicated ? {
                command: `aws account enable-region --region-name ${region} && aws account get-region-opt-status --region-name ${region} && ` +
                    `aws rds describe-source-regions --region ${region} --region-name ${home} --query 'SourceRegions[0].SupportsDBInstanceAutomatedBackupsReplication'`,
            } : {}),
            when: "before-up",
        });
    }
    const projects = [...new Set(resources.filter(r => r.type === "pulumi:providers:gcp").map(r => String(r.inputs.project)))].sort();
    if (resources.some(r => r.type === "gcp:projects/service:Service")) {
        for (const project of projects) {
            steps.push({
                id: `apis-${project}`,
                text: `Enable the two APIs the program needs to enable the others (the rest are gcp:projects/service resources of this plan).`,
                command: `gcloud services enable serviceusage.googleapis.com cloudresourcemanager.googleapis.com --project ${project}`,
                when: "before-up",
            });
        }
    }
    quotaRows.filter(x => x.exceeded).forEach(q => steps.push(quotaStep(q, projects[0])));
    steps.push(...configSteps.filter(s => s.when === "before-up"));
    const edgeZones = resources.filter(r => r.type === "cloudflare:index/zone:Zone");
    const regional = resources.some(r => r.type === "cloudflare:index/regionalHostname:RegionalHostname");
    const plan = resources.find(r => r.type === "cloudflare:index/zoneSubscription:ZoneSubscription")?.inputs.ratePlan?.id;
    edgeZones.forEach(z => steps.push(...edgeSteps(z, regional, plan === undefined ? undefined : String(plan))));
    // Where Cloudflare holds a name, its delegation is the one step; the cloud's zone stays undelegated.
    const delegatedHere = new Set([...selfDelegated(resources), ...edgeZones.map(z => String(z.inputs.name))]);
    for (const r of resources.filter(x => x.type === "aws:route53/zone:Zone" && !delegatedHere.has(String(x.inputs.name).replace(/\.$/, "")))) {
        steps.push(delegation(String(r.inputs.name), "aws", r.name, r.urn, false));
    }
    for (const r of resources.filter(x => x.type === "gcp:dns/managedZone:ManagedZone" && x.inputs.visibility !== "private" &&
        !delegatedHere.has(String(x.inputs.dnsName).replace(/\.$/, "")))) {
        steps.push(delegation(String(r.inputs.dnsName), "gcp", String(r.inputs.name ?? r.name), r.urn, r.inputs.dnssecConfig?.state === "on"));
    }
    const runners = resources.some(r => r.type === "aws:ec2/securityGroup:SecurityGroup" && /ci-runners/.test(r.name));
    for (const r of resources.filter(x => x.type === "aws:eks/cluster:Cluster")) {
        const vpc = r.inputs.vpcConfig ?? {};
        const cidrs: string[] = vpc.endpointPublicAccess ? vpc.publicAccessCidrs ?? ["0.0.0.0/0"] : [];
        steps.push({
            id: "cluster-api-path",
            text: `Run \`pulumi up\` from a machine that reaches the EKS API: ${cidrs.length > 0 ? `its public endpoint admits only ${cidrs.join(", ")} (cluster.apiAllowedCidrs)` : "the endpoint is private"}; ` +
                `GitHub-hosted runners are not in that list, so use a runner inside it (or in the VPC).` +
                (runners ? " The in-VPC runner pool (docs/ci-runners.md) can only start once the VPC exists: the first run is from an operator machine." : "") +
                (r.inputs.accessConfig?.authenticationMode === "API" && !resources.some(x => x.type === "aws:eks/accessEntry:AccessEntry")
                    ? " With API authentication and no access entry in the plan, only the identity that creates the cluster can use it: run the first `up` as the deploy role." : ""),
            when: "before-up",
        });
    }
    for (const r of resources.filter(x => x.type === "gcp:container/cluster:Cluster")) {
        const blocks: string[] = (r.inputs.masterAuthorizedNetworksConfig?.cidrBlocks ?? []).map((b: Props) => String(b.cidrBlock));
        steps.push({
            id: "cluster-api-path",
            text: `Run \`pulumi up\` from a machine that reaches the GKE API: authorised networks are ${blocks.join(", ") || "none"} (cluster.apiAllowedCidrs); ` +
                `GitHub-hosted runners are not in that list, so use a runner inside it (or in the VPC).`,
            when: "before-up",
        });
    }
    steps.push(...configSteps.filter(s => s.when !== "before-up"));
    const ordered = stepPhases.flatMap(phase => steps.filter(s => s.when === phase));
    const twice = ordered.map(s => s.id).filter((id, i, all) => all.indexOf(id) !== i);
    if (twice.length > 0) {
        throw new Error(`bootstrap step(s) ${twice.join(", ")} listed twice: each step has one source (the plan or the cloud's step function)`);
    }
    return ordered;
}
