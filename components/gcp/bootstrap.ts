/**
 * What an account must do by hand for a GCP stack, in order, for the stack it is given: the steps
 * `pulumi up` cannot take itself (a quota request, a delegation in a zone this stack does not own)
 * and what `pulumi destroy` needs of the machine that runs it. A plain function, so a preflight
 * checklist or the plan can print it.
 */
import { GcpStackConfig } from "../../stacks/schema";
import { defaultSsdQuotaGb, regionalSsdGb } from "./quota";

export interface BootstrapStep {
    /** 1-based, in the order to take them. */
    readonly number: number;
    readonly title: string;
    /** What to do and why, with the values of this stack. */
    readonly detail: string;
    /** When to take it: before the first `pulumi up`, after it, or before `pulumi destroy`. */
    readonly when: "before-up" | "after-first-up" | "before-destroy";
}

/** The zone a domain is delegated from: its parent, or the registrar for a registrable domain. */
function parentOf(domain: string): string | undefined {
    const labels = domain.split(".");
    return labels.length > 2 ? labels.slice(1).join(".") : undefined;
}

/** The manual steps of one GCP stack, numbered. */
export function gcpBootstrapSteps(config: Pick<GcpStackConfig, "environment" | "domain" | "gcp" | "cluster">): BootstrapStep[] {
    const { project, region } = config.gcp;
    const ssd = regionalSsdGb({ environment: config.environment, maxNodes: config.cluster.maxNodes });
    const parent = parentOf(config.domain);
    const steps: Omit<BootstrapStep, "number">[] = [
        {
            when: "before-up",
            title: `SSD quota: ${ssd} GB in ${region}`,
            detail: `At its largest (${config.cluster.maxNodes} nodes plus the upgrade surge, and the platform's volumes) the stack uses ${ssd} GB ` +
                `of SSD_TOTAL_GB in ${region}. New projects get ${defaultSsdQuotaGb.usual} GB, some only ${defaultSsdQuotaGb.lowest} GB: ` +
                `check with \`gcloud compute regions describe ${region} --project ${project} --format="value(quotas)"\` and, if it is lower, ` +
                `request at least ${ssd} GB (IAM & Admin > Quotas, metric compute.googleapis.com/ssd_total_storage) before \`pulumi up\`.`,
        },
        parent
            ? {
                when: "after-first-up",
                title: `Delegate ${config.domain} from ${parent}`,
                detail: `In the ${parent} zone, add an NS record for ${config.domain} with the stack output nameServers, and the DS record of ` +
                    `the new DNSSEC-signed zone (\`gcloud dns dns-keys list --zone <zone> --project ${project} --filter type=keySigning --format "value(ds_record())"\`). ` +
                    `Until both are published, cert-manager's DNS-01 challenges and the CDN's managed certificate cannot validate.`,
            }
            : {
                when: "after-first-up",
                title: `Delegate ${config.domain} at the registrar`,
                detail: `Set the domain's name servers to the stack output nameServers and publish the zone's DS record at the registrar ` +
                    `(\`gcloud dns dns-keys list --zone <zone> --project ${project} --filter type=keySigning --format "value(ds_record())"\`). ` +
                    `Until then, cert-manager's DNS-01 challenges and the CDN's managed certificate cannot validate.`,
            },
        {
            when: "after-first-up",
            title: `Check an unsigned CDN fill on cdn.${config.domain}`,
            detail: `The assets bucket enforces public access prevention; only Cloud CDN's cache-fill agent may read it, and Cloud CDN ` +
                `does not require signatures on unsigned requests. Once the certificate is active, upload one object and check that ` +
                `\`curl -sI https://cdn.${config.domain}/<object>\` answers 200; a 403 means fills are refused, and the assets must be served with signed URLs.`,
        },
        {
            when: "before-destroy",
            title: "gcloud on the machine that runs `pulumi destroy`",
            detail: `The destroy removes the private-services peering from the VPC and disables the _Default log sink with gcloud, ` +
                `logged in as an account that may do both in ${project} (compute.networks.removePeering, logging.sinks.update). ` +
                `Production protects its data stores: their deletion is refused until protection is lifted on purpose.`,
        },
    ];
    return steps.map((s, i) => ({ number: i + 1, ...s }));
}
