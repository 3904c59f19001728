/**
 * Network guardrails: no data or admin port open to the internet, flow logs, TLS on every
 * Ingress, and in-cluster isolation — default-deny NetworkPolicies per app namespace and a
 * PodDisruptionBudget per Deployment.
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { isChartRendered } from "./exemptions";
import { asArray, dataPortsIn, forTypes, isAppNamespace, isCanaryWithStableTrack, isObject, isWorldCidr, k8sName, k8sNamespace, ofType, Props, readOnce, referenced, safe } from "./helpers";

const portList = (ports: number[]) => ports.join(", ");

export const securityGroupNoPublicDataPorts: ResourceValidationPolicy = {
    name: "security-group-no-public-data-ports",
    description: "Checks whether no security group admits 0.0.0.0/0 or ::/0 on a data or admin port (SSH, RDP, databases, Redis, NATS, Elasticsearch, kubelet).",
    enforcementLevel: "mandatory",
    validateResource: forTypes(
        ["aws:ec2/securityGroup:SecurityGroup", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:ec2/securityGroupRule:SecurityGroupRule"],
        (args, report) => {
            const p = args.props;
            const rules: Array<{ cidrs: unknown[]; protocol: unknown; from: unknown; to: unknown }> = [];
            if (args.type === "aws:ec2/securityGroup:SecurityGroup") {
                for (const r of asArray(safe(() => p.ingress)).filter(isObject)) {
                    rules.push({ cidrs: [...asArray(r.cidrBlocks), ...asArray(r.ipv6CidrBlocks)], protocol: r.protocol, from: r.fromPort, to: r.toPort });
                }
            } else if (args.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
                rules.push({ cidrs: [safe(() => p.cidrIpv4), safe(() => p.cidrIpv6)], protocol: safe(() => p.ipProtocol), from: safe(() => p.fromPort), to: safe(() => p.toPort) });
            } else if (safe(() => p.type) === "ingress") {
                rules.push({ cidrs: [...asArray(safe(() => p.cidrBlocks)), ...asArray(safe(() => p.ipv6CidrBlocks))], protocol: safe(() => p.protocol), from: safe(() => p.fromPort), to: safe(() => p.toPort) });
            }
            for (const r of rules) {
                const ports = dataPortsIn(r.protocol, r.from, r.to);
                const world = r.cidrs.filter(isWorldCidr);
                if (world.length > 0 && ports.length > 0) {
                    report(`Ingress from ${world.join(", ")} reaches port(s) ${portList(ports)}; allow only the VPC, a security group or the office/VPN ranges.`);
                }
            }
        }),
};

/** Ports a GCP firewall `allows` entry opens; an entry without ports opens every port. */
function firewallDataPorts(allow: Props): number[] {
    const ports = asArray(allow.ports);
    if (ports.length === 0) {
        return dataPortsIn(allow.protocol === "all" ? "-1" : allow.protocol, 0, 0);
    }
    return [...new Set(ports.flatMap(spec => {
        const [lo, hi] = String(spec).split("-").map(Number);
        return dataPortsIn(allow.protocol === "all" ? "tcp" : allow.protocol, lo, hi ?? lo);
    }))];
}

export const firewallNoPublicDataPorts: ResourceValidationPolicy = {
    name: "firewall-no-public-data-ports",
    description: "Checks whether no GCP firewall rule admits 0.0.0.0/0 on a data or admin port.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(["gcp:compute/firewall:Firewall"], (args, report) => {
        const p = args.props;
        if ((safe(() => p.direction) ?? "INGRESS") !== "INGRESS" || safe(() => p.disabled) === true) {
            return;
        }
        const world = asArray(safe(() => p.sourceRanges)).filter(isWorldCidr);
        const ports = [...new Set(asArray(safe(() => p.allows)).filter(isObject).flatMap(firewallDataPorts))].sort((a, b) => a - b);
        if (world.length > 0 && ports.length > 0) {
            report(`Firewall admits ${world.join(", ")} on port(s) ${portList(ports)}; restrict sourceRanges to the VPC, IAP (35.235.240.0/20) or the office/VPN ranges.`);
        }
    }),
};

export const vpcFlowLogs: StackValidationPolicy = {
    name: "vpc-flow-logs",
    description: "Checks whether every AWS VPC has a flow log and every GCP subnetwork logs its flows.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const flowLogs = ofType(args, "aws:ec2/flowLog:FlowLog");
        for (const vpc of ofType(args, "aws:ec2/vpc:Vpc")) {
            if (!flowLogs.some(f => referenced(f, "vpcId").some(x => x.urn === vpc.urn))) {
                report(`VPC ${vpc.name} has no flow log; add an aws.ec2.FlowLog with vpcId set to it (trafficType ALL).`, vpc.urn);
            }
        }
        for (const subnet of ofType(args, "gcp:compute/subnetwork:Subnetwork")) {
            const purpose = safe(() => subnet.props.purpose);
            // Proxy-only and PSC subnets carry no VM traffic and reject logConfig.
            if ((purpose === undefined || purpose === "PRIVATE") && !isObject(safe(() => subnet.props.logConfig))) {
                report(`Subnetwork ${subnet.name} does not log its flows; set logConfig (aggregationInterval, flowSampling, metadata).`, subnet.urn);
            }
        }
    },
};

export const ingressTlsRequired: ResourceValidationPolicy = {
    name: "ingress-tls-required",
    description: "Checks whether every Ingress terminates TLS for each host it routes.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(["kubernetes:networking.k8s.io/v1:Ingress"], (args, report) => {
        const tlsHosts = new Set(asArray(safe(() => args.props.spec?.tls)).flatMap(t => asArray(t?.hosts)));
        const hosts = asArray(safe(() => args.props.spec?.rules)).map(r => r?.host).filter((h): h is string => typeof h === "string");
        const uncovered = hosts.filter(h => !tlsHosts.has(h));
        if (tlsHosts.size === 0 || uncovered.length > 0) {
            report(`Ingress serves ${uncovered.length > 0 ? uncovered.join(", ") : "its hosts"} over plain HTTP; list every host under spec.tls with a certificate secret.`);
        }
    }),
};

export const appServicesInternal: ResourceValidationPolicy = {
    name: "app-services-internal",
    description: "Checks whether Services in the app namespace stay internal (ClusterIP); traffic enters only through the ingress controller.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(["kubernetes:core/v1:Service"], (args, report) => {
        const type = safe(() => args.props.spec?.type) ?? "ClusterIP";
        if (isAppNamespace(safe(() => args.props.metadata?.namespace)) && (type === "LoadBalancer" || type === "NodePort")) {
            report(`Service is exposed as ${type}; use type ClusterIP and route through the Ingress.`);
        }
    }),
};

/** A policy selecting every pod with no allow rules for the given direction. */
function deniesAll(np: PolicyResource, direction: "Ingress" | "Egress"): boolean {
    const spec: Props = safe(() => np.props.spec) ?? {};
    const selector = spec.podSelector ?? {};
    const selectsAll = Object.keys(selector.matchLabels ?? {}).length === 0 && asArray(selector.matchExpressions).length === 0;
    const rules = direction === "Ingress" ? spec.ingress : spec.egress;
    return selectsAll && asArray(spec.policyTypes).includes(direction) && asArray(rules).length === 0;
}

export const namespaceDefaultDeny: StackValidationPolicy = {
    name: "namespace-default-deny",
    description: "Checks whether every app namespace (bookkeep-<environment>) has a default-deny NetworkPolicy for both ingress and egress.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const namespaces = new Map<string, string>();
        for (const ns of ofType(args, "kubernetes:core/v1:Namespace")) {
            const name = k8sName(ns);
            if (isAppNamespace(name)) {
                namespaces.set(name, ns.urn);
            }
        }
        for (const r of args.resources.filter(x => x.type.startsWith("kubernetes:apps/"))) {
            const ns = k8sNamespace(r);
            if (isAppNamespace(ns) && !namespaces.has(ns)) {
                namespaces.set(ns, r.urn);
            }
        }
        const policies = ofType(args, "kubernetes:networking.k8s.io/v1:NetworkPolicy");
        for (const [ns, urn] of namespaces) {
            const inNs = policies.filter(p => k8sNamespace(p) === ns);
            const missing = (["Ingress", "Egress"] as const).filter(d => !inNs.some(p => deniesAll(p, d)));
            if (missing.length > 0) {
                report(`Namespace ${ns} has no default-deny ${missing.join(" and ")} NetworkPolicy; add one with podSelector: {} and policyTypes [Ingress, Egress] and no rules.`, urn);
            }
        }
    },
};

/**
 * A PodDisruptionBudget's namespace and matchLabels, each read once per analysis and only when a
 * Deployment's check gets to it: the scan over every PDB per Deployment costs plain comparisons.
 */
interface PdbSelector {
    readonly namespace: () => string;
    readonly matchLabels: () => Array<[string, unknown]>;
}

function pdbSelector(pdb: PolicyResource): PdbSelector {
    return {
        namespace: readOnce(() => k8sNamespace(pdb)),
        matchLabels: readOnce(() => Object.entries((safe(() => pdb.props.spec?.selector) ?? {}).matchLabels ?? {})),
    };
}

function selects(pdb: PdbSelector, namespace: string, labels: Props): boolean {
    if (pdb.namespace() !== namespace) {
        return false;
    }
    const match = pdb.matchLabels();
    return match.length > 0 && match.every(([k, v]) => labels[k] === v);
}

export const deploymentHasPdb: StackValidationPolicy = {
    name: "deployment-has-pdb",
    description: "Checks whether every Deployment we declare, or a chart renders into an app namespace, has a PodDisruptionBudget selecting its pods, so node drains keep it serving (a canary beside its stable track excepted).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const pdbs = ofType(args, "kubernetes:policy/v1:PodDisruptionBudget").map(pdbSelector);
        for (const d of ofType(args, "kubernetes:apps/v1:Deployment").filter(x => !isCanaryWithStableTrack(args, x))) {
            const ns = k8sNamespace(d);
            // Platform charts get their PDBs from values, in the environments that run more than
            // one replica; a PDB over a single replica would only block the node drain.
            if (isChartRendered(d.urn) && !isAppNamespace(ns)) {
                continue;
            }
            const labels: Props = safe(() => d.props.spec?.template?.metadata?.labels) ?? {};
            if (!pdbs.some(p => selects(p, ns, labels))) {
                report(`Deployment ${k8sName(d)} in ${ns} has no PodDisruptionBudget; add one whose selector matches its pod labels (maxUnavailable: 1).`, d.urn);
            }
        }
    },
};

export const networkPolicies = [
    securityGroupNoPublicDataPorts, firewallNoPublicDataPorts, vpcFlowLogs, ingressTlsRequired, appServicesInternal,
    namespaceDefaultDeny, deploymentHasPdb,
];
