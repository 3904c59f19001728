/**
 * Network guardrails: no data or admin port open to the internet, flow logs, TLS on every
 * Ingress, and in-cluster isolation — default-deny NetworkPolicies per app namespace and a
 * PodDisruptionBudget per Deployment.
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { isChartRendered } from "./exemptions";
import { internetWide } from "./cidrs";
import { asArray, dataPortsIn, forTypes, isAppNamespace, isCanaryWithStableTrack, isObject, k8sName, k8sNamespace, ofType, Props, readOnce, referenced, safe } from "./helpers";

const portList = (ports: number[]) => ports.join(", ");

export const securityGroupNoPublicDataPorts: ResourceValidationPolicy = {
    name: "security-group-no-public-data-ports",
    description: "Checks whether no security group admits the internet (0.0.0.0/0, ::/0 or ranges that add up to a large share of it) on a data or admin port (SSH, RDP, databases, Redis, NATS, Elasticsearch, kubelet).",
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
            // Judged per port over every rule of the resource: several ranges can add up to the internet.
            const open = new Map<string, number[]>();
            for (const port of dataPortsIn("-1", 0, 0)) {
                const cidrs = rules.filter(r => dataPortsIn(r.protocol, r.from, r.to).includes(port)).flatMap(r => r.cidrs);
                const world = internetWide(cidrs).join(", ");
                if (world !== "") {
                    open.set(world, [...(open.get(world) ?? []), port]);
                }
            }
            for (const [world, ports] of open) {
                report(`Ingress from ${world} reaches port(s) ${portList(ports)}; allow only the VPC, a security group or the office/VPN ranges.`);
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
    description: "Checks whether no GCP firewall rule admits the internet (0.0.0.0/0 or ranges that add up to a large share of it) on a data or admin port.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(["gcp:compute/firewall:Firewall"], (args, report) => {
        const p = args.props;
        if ((safe(() => p.direction) ?? "INGRESS") !== "INGRESS" || safe(() => p.disabled) === true) {
            return;
        }
        const world = internetWide(asArray(safe(() => p.sourceRanges)));
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
    description: "Checks whether every Ingress terminates TLS for each host it routes and routes only named hosts.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(["kubernetes:networking.k8s.io/v1:Ingress"], (args, report) => {
        const tlsHosts = new Set(asArray(safe(() => args.props.spec?.tls)).flatMap(t => asArray(t?.hosts)));
        const rules = asArray(safe(() => args.props.spec?.rules));
        const hosts = rules.map(r => r?.host).filter((h): h is string => typeof h === "string" && h !== "");
        const uncovered = hosts.filter(h => !tlsHosts.has(h));
        if (tlsHosts.size === 0 || uncovered.length > 0) {
            report(`Ingress serves ${uncovered.length > 0 ? uncovered.join(", ") : "its hosts"} over plain HTTP; list every host under spec.tls with a certificate secret.`);
        }
        // A rule without a host (or a default backend) answers any Host header, which no certificate names.
        const catchAll = rules.length > hosts.length || safe(() => args.props.spec?.defaultBackend) !== undefined;
        if (catchAll) {
            report("Ingress answers requests for any host (a rule without host, or a defaultBackend), which TLS cannot cover; give every rule a host listed under spec.tls.");
        }
    }),
};

/** The only ports an externally exposed Service may carry: HTTP and HTTPS into the API gateway's proxies. */
export const webPorts: readonly number[] = [80, 443];

export const appServicesInternal: ResourceValidationPolicy = {
    name: "app-services-internal",
    description: "Checks whether Services stay internal (ClusterIP): in the app namespace always, elsewhere unless they expose only HTTP/HTTPS (the API gateway's entry).",
    enforcementLevel: "mandatory",
    validateResource: forTypes(["kubernetes:core/v1:Service"], (args, report) => {
        const type = safe(() => args.props.spec?.type) ?? "ClusterIP";
        if (type !== "LoadBalancer" && type !== "NodePort") {
            return;
        }
        if (isAppNamespace(safe(() => args.props.metadata?.namespace))) {
            report(`Service is exposed as ${type}; use type ClusterIP and route through the API Gateway (an HTTPRoute).`);
            return;
        }
        const ports = asArray(safe(() => args.props.spec?.ports)).map(p => p?.port);
        const other = ports.filter(p => !webPorts.includes(p));
        if (ports.length === 0 || other.length > 0) {
            report(`Service is exposed as ${type} on port(s) ${other.length > 0 ? other.join(", ") : "unknown"}; only ${webPorts.join(" and ")} may face outside the cluster: use type ClusterIP and route through the API Gateway (an HTTPRoute).`);
        }
    }),
};

/**
 * Whether a NetworkPolicy rule admits every peer on every port: no peers (or an empty list) or an
 * ipBlock open to the internet, and no ports. Such a rule undoes a namespace's default-deny.
 */
function admitsEverything(rule: unknown, peersKey: "from" | "to"): boolean {
    if (!isObject(rule) || asArray(rule.ports).length > 0) {
        return false;
    }
    const peers = asArray(rule[peersKey]);
    return peers.length === 0 || internetWide(peers.map(p => p?.ipBlock?.cidr)).length > 0;
}

export const networkPolicyNotAllowAll: ResourceValidationPolicy = {
    name: "network-policy-not-allow-all",
    description: "Checks whether no NetworkPolicy has a rule that admits every source or destination on every port (which undoes default-deny).",
    enforcementLevel: "mandatory",
    validateResource: forTypes(["kubernetes:networking.k8s.io/v1:NetworkPolicy"], (args, report) => {
        for (const [direction, key, peers] of [["ingress", "ingress", "from"], ["egress", "egress", "to"]] as const) {
            const rules = asArray(safe(() => args.props.spec?.[key]));
            if (rules.some(r => admitsEverything(r, peers))) {
                report(`NetworkPolicy allows all ${direction} on every port, which undoes default-deny; name the ${peers === "from" ? "sources" : "destinations"} (podSelector, namespaceSelector or a narrow ipBlock) and the ports.`);
            }
        }
    }),
};

/** Namespaces the cloud provider runs for the control plane and the pack does not police. */
export const systemNamespaces: readonly string[] = ["kube-system", "kube-public", "kube-node-lease"];

/** A policy selecting every pod with no allow rules for the given direction. */
function deniesAll(np: PolicyResource, direction: "Ingress" | "Egress"): boolean {
    const spec: Props = safe(() => np.props.spec) ?? {};
    const selector = spec.podSelector ?? {};
    const selectsAll = Object.keys(selector.matchLabels ?? {}).length === 0 && asArray(selector.matchExpressions).length === 0;
    const rules = direction === "Ingress" ? spec.ingress : spec.egress;
    return selectsAll && asArray(spec.policyTypes).includes(direction) && asArray(rules).length === 0;
}

/** Kinds whose objects run pods; a namespace holding one needs the same isolation as a declared one. */
const podRunning = /^kubernetes:(apps|batch|core)\/v[0-9a-z]+:(Pod|Deployment|StatefulSet|DaemonSet|ReplicaSet|Job|CronJob|ReplicationController)$/;

export const namespaceDefaultDeny: StackValidationPolicy = {
    name: "namespace-default-deny",
    description: `Checks whether every namespace the stack declares or runs pods in (${systemNamespaces.join(", ")} excepted) has a default-deny NetworkPolicy for both ingress and egress.`,
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const namespaces = new Map<string, string>();
        for (const ns of ofType(args, "kubernetes:core/v1:Namespace")) {
            namespaces.set(k8sName(ns), ns.urn);
        }
        for (const r of args.resources.filter(x => podRunning.test(x.type))) {
            const ns = k8sNamespace(r);
            if (!namespaces.has(ns)) {
                namespaces.set(ns, r.urn);
            }
        }
        for (const ns of systemNamespaces) {
            namespaces.delete(ns);
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

/** Whether a PDB budget lets every selected pod go at once: 100% unavailable, or none required. */
function evictsAll(spec: Props): string | undefined {
    const max = spec.maxUnavailable;
    const min = spec.minAvailable;
    if (max === "100%") {
        return "maxUnavailable: 100%";
    }
    if (min === 0 || min === "0%") {
        return `minAvailable: ${min}`;
    }
    return undefined;
}

export const pdbKeepsPods: ResourceValidationPolicy = {
    name: "pdb-keeps-pods",
    description: "Checks whether every PodDisruptionBudget keeps at least one pod through a drain (never maxUnavailable 100% or minAvailable 0).",
    enforcementLevel: "mandatory",
    validateResource: forTypes(["kubernetes:policy/v1:PodDisruptionBudget"], (args, report) => {
        const spec: Props = safe(() => args.props.spec) ?? {};
        const budget = evictsAll(spec);
        if (budget !== undefined) {
            report(`PodDisruptionBudget ${budget} lets a drain evict every pod at once; use maxUnavailable: 1.`);
        }
    }),
};

export const networkPolicies = [
    securityGroupNoPublicDataPorts, firewallNoPublicDataPorts, vpcFlowLogs, ingressTlsRequired, appServicesInternal,
    networkPolicyNotAllowAll, namespaceDefaultDeny, deploymentHasPdb, pdbKeepsPods,
];
