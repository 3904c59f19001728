/**
 * Bootstrap prerequisites: what a person must do in the account before (or during) the first
 * `pulumi up` of this plan, derived from the plan itself, as a numbered checklist.
 */
import { QuotaRow } from "./quotas";
import { PreflightResource } from "./resources";

export interface BootstrapStep {
    /** A short, stable id (tests and the README refer to it). */
    readonly id: string;
    readonly text: string;
}

/** AWS regions that must be enabled in an account before use (all opt-in regions that are in India). */
const awsOptInRegions = ["ap-south-2"];

function parentOf(domain: string): string | undefined {
    const labels = domain.replace(/\.$/, "").split(".");
    return labels.length > 2 ? labels.slice(1).join(".") : undefined;
}

function delegation(dnsName: string, cloud: "aws" | "gcp", zoneResource: string, dnssec: boolean): BootstrapStep {
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
            `(${validators}), so create the zone first (\`pulumi up --target <zone URN>\`), delegate it, then run the full \`pulumi up\`.`,
    };
}

export function bootstrap(resources: readonly PreflightResource[], quotaRows: readonly QuotaRow[]): BootstrapStep[] {
    const steps: BootstrapStep[] = [];
    const regions = new Set(resources.filter(r => r.type === "pulumi:providers:aws").map(r => String(r.inputs.region)));
    for (const region of awsOptInRegions.filter(r => regions.has(r))) {
        steps.push({
            id: `opt-in-${region}`,
            text: `Enable the opt-in region ${region}: \`aws account enable-region --region-name ${region}\`, then wait until ` +
                `\`aws account get-region-opt-status --region-name ${region}\` says ENABLED (backup copies and their KMS key live there).`,
        });
    }
    const projects = new Set(resources.filter(r => r.type === "pulumi:providers:gcp").map(r => String(r.inputs.project)));
    if (resources.some(r => r.type === "gcp:projects/service:Service")) {
        for (const project of [...projects].sort()) {
            steps.push({
                id: `apis-${project}`,
                text: `Enable the two APIs the program needs to enable the others: \`gcloud services enable serviceusage.googleapis.com ` +
                    `cloudresourcemanager.googleapis.com --project ${project}\` (the rest are gcp:projects/service resources of this plan).`,
            });
        }
    }
    for (const r of resources.filter(x => x.type === "aws:route53/zone:Zone")) {
        steps.push(delegation(String(r.inputs.name), "aws", r.name, false));
    }
    for (const r of resources.filter(x => x.type === "gcp:dns/managedZone:ManagedZone" && x.inputs.visibility !== "private")) {
        steps.push(delegation(String(r.inputs.dnsName), "gcp", String(r.inputs.name ?? r.name), r.inputs.dnssecConfig?.state === "on"));
    }
    for (const q of quotaRows.filter(x => x.exceeded)) {
        const need = Math.max(q.used, q.usedAtMaximum);
        steps.push({
            id: `quota-${q.key}`,
            text: `Raise ${q.quota} in ${q.region} to at least ${need} ${q.unit} (this plan needs ${q.used}${q.usedAtMaximum !== q.used ? `, ${q.usedAtMaximum} at the node maximum` : ""}; ` +
                `the ${q.limitFrom === "default" ? "default for a new account" : "value in bookkeep:quotas"} is ${q.limit}), then set \`bookkeep:quotas.${q.key}: ${need}\` in the stack file.`,
        });
    }
    for (const r of resources.filter(x => x.type === "aws:eks/cluster:Cluster")) {
        const vpc = r.inputs.vpcConfig ?? {};
        const cidrs: string[] = vpc.endpointPublicAccess ? vpc.publicAccessCidrs ?? ["0.0.0.0/0"] : [];
        steps.push({
            id: "cluster-api-path",
            text: `Run \`pulumi up\` from a machine that reaches the EKS API: ${cidrs.length > 0 ? `its public endpoint admits only ${cidrs.join(", ")} (cluster.apiAllowedCidrs)` : "the endpoint is private"}; ` +
                `GitHub-hosted runners are not in that list, so use a runner inside it (or in the VPC).` +
                (r.inputs.accessConfig?.authenticationMode === "API" && !resources.some(x => x.type === "aws:eks/accessEntry:AccessEntry")
                    ? " With API authentication and no access entry in the plan, only the identity that creates the cluster can use it: run the first `up` as the deploy role." : ""),
        });
    }
    for (const r of resources.filter(x => x.type === "gcp:container/cluster:Cluster")) {
        const blocks: string[] = (r.inputs.masterAuthorizedNetworksConfig?.cidrBlocks ?? []).map((b: any) => String(b.cidrBlock));
        steps.push({
            id: "cluster-api-path",
            text: `Run \`pulumi up\` from a machine that reaches the GKE API: authorised networks are ${blocks.join(", ") || "none"} (cluster.apiAllowedCidrs); ` +
                `GitHub-hosted runners are not in that list, so use a runner inside it (or in the VPC).`,
        });
    }
    return steps;
}
