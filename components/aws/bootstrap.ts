/**
 * What an AWS account must have done by hand before (or between phases of) the first `pulumi up`
 * of a stack: things no Pulumi resource can do, or must not do unattended. Pure, so the plan (and
 * the preflight checklist) can print them for the stack it plans, and the tests pin them.
 */
import { AwsStackConfig } from "../../stacks/schema";

/** EC2-VPC Elastic IPs, per region (Service Quotas code). */
export const elasticIpQuotaCode = "L-0263D0A3";

/** The foundation's resource names the steps target (components/platform.ts names the foundation `bookkeep-aws`). */
const zoneResource = "bookkeep-aws-dns-zone";

/** Elastic IPs the stack allocates: one per NAT gateway, one per AZ for the ingress NLB. */
export function elasticIpCount(aws: Pick<AwsStackConfig["aws"], "natGateways" | "availabilityZones">): number {
    const nat = aws.natGateways === "perAz" ? aws.availabilityZones.length : 1;
    return nat + aws.availabilityZones.length;
}

export interface BootstrapStep {
    /** Stable key, for checklists and tests. */
    readonly id: string;
    /** What to do and why, in one or two sentences. */
    readonly text: string;
    /** The command that does it, where one does. */
    readonly command?: string;
}

/** The stack's manual bootstrap steps, in the order they must happen. */
export function awsBootstrapSteps(config: AwsStackConfig): BootstrapStep[] {
    const { aws } = config;
    const steps: BootstrapStep[] = [];
    const stack = config.environment;
    if (config.database.crossRegionBackups) {
        steps.push({
            id: "opt-in-dr-region",
            text: `Enable the opt-in region ${aws.drRegion} in the account (RDS automated backups are copied there); enabling takes minutes to hours. ` +
                `Then confirm that RDS replicates automated backups from ${aws.region} into it (the last command must print true).`,
            command: `aws account enable-region --region-name ${aws.drRegion} && aws account get-region-opt-status --region-name ${aws.drRegion} && ` +
                `aws rds describe-source-regions --region ${aws.drRegion} --region-name ${aws.region} --query 'SourceRegions[0].SupportsDBInstanceAutomatedBackupsReplication'`,
        });
    }
    const eips = elasticIpCount(aws);
    if (eips > aws.elasticIpQuota) {
        steps.push({
            id: "elastic-ip-quota",
            text: `Raise the Elastic IP quota in ${aws.region} from ${aws.elasticIpQuota} to at least ${eips} (NAT gateways and the ingress NLB), ` +
                `then set bookkeep:aws.elasticIpQuota to the granted value.`,
            command: `aws service-quotas request-service-quota-increase --region ${aws.region} --service-code ec2 --quota-code ${elasticIpQuotaCode} --desired-value ${eips}`,
        });
    }
    steps.push({
        id: "deploy-role",
        text: `Create the deploy role ${aws.deployRoleArn} (trusted by the CI runners' instance role and by operators for the first run); ` +
            "the cluster's only admin access entry is for it.",
    });
    steps.push({
        id: "first-run-from-operator-range",
        text: "Run the first `pulumi up` as the deploy role from an operator machine inside bookkeep:cluster.apiAllowedCidrs: the " +
            "in-VPC runner pool that CI uses (docs/ci-runners.md) can only start once the VPC exists.",
    });
    if (aws.parentZoneId === undefined) {
        steps.push({
            id: "zone-delegation",
            text: `Create the ${config.domain} zone first and delegate it before anything validates through it (ACM and cert-manager DNS-01 ` +
                `otherwise time out): ${isApex(config.domain) ? "set the registrar's name servers" : "add an NS record in the parent zone"} ` +
                "to the stack output nameServers, wait until `dig NS` answers with them, then run the full `pulumi up`.",
            command: `pulumi up --stack ${stack} --target '**::${zoneResource}' && pulumi stack output nameServers --stack ${stack}`,
        });
    }
    return steps;
}

/** A registrable domain (bookkeep.app): its delegation lives at the registrar, not in a parent zone. */
function isApex(domain: string): boolean {
    return domain.split(".").length <= 2;
}

/** The steps as the plan prints them: numbered, each with its command indented below. */
export function formatBootstrapSteps(steps: readonly BootstrapStep[]): string[] {
    return steps.flatMap((s, i) => [`${i + 1}. ${s.text}`, ...(s.command ? [`   $ ${s.command}`] : [])]);
}
