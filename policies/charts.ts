/**
 * Helm charts and images. Every Helm resource (v4 Chart, v3 Chart, v3 Release) installs an archive
 * vendored in the repository's charts/ folder, whose sha256 this pack records: what was reviewed
 * is byte for byte what is deployed, and no deploy fetches a chart over the network, let alone
 * over plain HTTP. No chart values and no container (our own or chart-rendered) use a floating
 * tag, and images come only from registries on a named list. A Helm v4 Chart is a component: a
 * real engine analyses its registration with no inputs and judges the objects it renders instead,
 * so the chart rules apply to a chart only when its inputs are there; the image rule applies to
 * every rendered pod.
 */
import { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, forPods, forTypes, helmChartTypes, knownEntries, safe, whenKnown } from "./helpers";

/**
 * The vendored chart archives (charts/ in the project) and their sha256, as in charts/SHA256SUMS;
 * tests/charts.spec.ts checks both lists and the files agree. Add an archive to all three.
 */
export const vendoredCharts: Readonly<Record<string, string>> = {
    "cert-manager-v1.21.1.tgz": "a8cd66ff9f8a185ad95acc56ce933d740a3957902e7c3054016f9b9779f6006e",
    "cloudnative-pg-0.29.0.tgz": "f86a0e56f882771503111fad788bb957df3c2bc63c002353662a4340818a7e73",
    "fluentd-0.5.3.tgz": "1e75f201f3b8c1ba8b362bc45ec3c5724fc57149f47946b410e1c048082c111f",
    "gateway-helm-v1.9.0.tgz": "00d2905a659fc930c67d0053fefb10948bdc5cf2ddca00e06f6abea95db5eb64",
    "karpenter-1.14.1.tgz": "7bcf2c1180b01aef2b92c9610bbbac339b292bbcb93bdc662ec823b88189fd12",
    "karpenter-crd-1.14.1.tgz": "89a897c3e51b6df81314ca4268fa0f27ab76c3238d607a2e36e72894338dbad0",
    "kube-prometheus-stack-82.14.1.tgz": "e23bc3e1ddc628a58544e228687f9d41197a323d3b3fa4d5e27c62026aaf97df",
    "minio-5.4.0.tgz": "25fa2740480d1ebc9e64340854a6c42d3a7bc39c2a77378da91b21f144faa9af",
    "nats-2.12.3.tgz": "031c1c3cabeab49be18acadbd395d6ff35c8f0b68af0652fb23590a145cc8506",
    "opentelemetry-collector-0.158.2.tgz": "ff76031a6518881a9f1a6903c40dbfd213aa06412d14aca89c605fadf5757ae8",
    "sealed-secrets-2.17.6.tgz": "a7fc01a0e632e8ec73bb4fdbe992707f1d881e5911907718edc1b1201b8a0674",
    "velero-12.1.0.tgz": "99f225de22b29f99b4d2549a83655b73df9a14a9ba76c4809a3655e7d2581ebf",
    "valkey-0.11.0.tgz": "cb332e71e1d94ec344c61154544c5617436a642b65a6e4888c9749f32d130660",
    "flagger-1.44.0.tgz": "bd3279b7436721beaaaaabcf1c347b8cc8f85b258fb239861e3383f49a8f02e5",
    "loadtester-0.38.0.tgz": "27d1031943a73e155a3ff55511ec0eddb7640914ae5761df1cae344645dc8d11",
    "eck-operator-crds-3.5.0.tgz": "7b4fc077074a5666552621a98d6ad9550270846b38b170d1730cc065c49ee432",
    "eck-operator-3.5.0.tgz": "27d9295f45a40da8252a040258822d35764a907cd6a8d770c2600514fb26a122",
    "prometheus-elasticsearch-exporter-7.4.0.tgz": "c73911232950b747699663ad149201a5652821f5d4babaaa73ee3c2464897c36",
    "tempo-2.2.4.tgz": "02848fa18f98f8f7d9d32e87112b5807410cce2194a281ce1be0f9f7bf416a53",
};

/** The vendored archive a chart reference names (`./charts/<file>.tgz` or `charts/<file>.tgz`), if any. */
export function vendoredArchive(chart: unknown): string | undefined {
    const m = typeof chart === "string" ? /^(?:\.\/)?charts\/([^/]+\.tgz)$/.exec(chart) : null;
    const file = m?.[1];
    // Stryker disable next-line ConditionalExpression: without a file the lookup asks for the key "undefined", which names no archive
    return file !== undefined && Object.prototype.hasOwnProperty.call(vendoredCharts, file) ? file : undefined;
}

/**
 * Runs `check` on a chart whose inputs the analyzer can see; a chart component registered without
 * them (as every real engine registers a Helm v4 Chart, and the SDK a v3 Chart) is not applicable.
 */
function forCharts(check: (args: ResourceValidationArgs, report: ReportViolation) => void) {
    return forTypes(helmChartTypes, (args, report) => {
        // `in` asks the proxy's target, so it sees an unknown chart input as present.
        if (args.type !== "kubernetes:helm.sh/v3:Release" && !("chart" in args.props) && !("path" in args.props)) {
            args.notApplicable("A Helm chart component is registered without its inputs; the policies judge the objects it renders.");
        }
        check(args, report);
    });
}

export const helmChartVendored: ResourceValidationPolicy = {
    name: "helm-chart-vendored",
    description: "Checks whether every Helm chart (v4 Chart, v3 Chart, v3 Release) installs an archive vendored in charts/ whose sha256 the pack records.",
    enforcementLevel: "mandatory",
    validateResource: forCharts((args, report) => {
        const chart = safe(() => args.props.path) ?? safe(() => args.props.chart);
        if (!vendoredArchive(chart)) {
            report(`Chart ${JSON.stringify(chart ?? null)} is not a vendored archive; copy the chart's release archive into charts/, record its sha256 in charts/SHA256SUMS and vendoredCharts (policies/charts.ts), and set chart to "./charts/<name>-<version>.tgz".`);
        }
    }),
};

/** Where a Helm resource says it fetches from: the chart reference and every repository field. */
function chartSources(args: ResourceValidationArgs): string[] {
    return [
        // Stryker disable next-line OptionalChaining: safe() reads a missing parent as undefined either way
        safe(() => args.props.chart), safe(() => args.props.repositoryOpts?.repo), safe(() => args.props.fetchOpts?.repo),
        safe(() => args.props.repo),
    ].filter((s): s is string => typeof s === "string");
}

export const helmChartSourceHttps: ResourceValidationPolicy = {
    name: "helm-chart-source-https",
    description: "Checks whether no Helm chart is fetched over plain HTTP.",
    enforcementLevel: "mandatory",
    validateResource: forCharts((args, report) => {
        // Stryker disable next-line OptionalChaining: safe() reads a missing parent as undefined either way
        if (safe(() => args.props.plainHttp) === true || safe(() => args.props.fetchOpts?.plainHttp) === true) {
            report("Chart is pulled over plain HTTP; remove plainHttp and install the vendored archive.");
        }
        for (const source of chartSources(args)) {
            if (/^http:\/\//i.test(source)) {
                report(`Chart source ${JSON.stringify(source)} is plain HTTP; install the vendored archive from charts/ instead.`);
            }
        }
    }),
};

/** Tags that name a moving target rather than a release, in any letter case. */
export const floatingTags: readonly string[] = ["latest", "stable", "main", "master", "edge"];

export function isFloatingTag(tag: string): boolean {
    return floatingTags.includes(tag.toLowerCase());
}

/**
 * Paths of floating `tag:` values and `image: x:<floating>` strings in chart values. A value
 * unknown during preview is skipped, so one computed value does not stop the scan of the rest.
 */
export function latestImages(v: unknown, path: string, out: string[] = []): string[] {
    const list = Array.isArray(v);
    for (const [k, x] of knownEntries(v)) {
        const p = list ? `${path}[${k}]` : path ? `${path}.${k}` : k;
        if (!list && typeof x === "string" && ((/^(image)?tag$/i.test(k) && isFloatingTag(x)) || (/image$/i.test(k) && floatingTagOf(x) !== undefined))) {
            out.push(p);
        } else {
            latestImages(x, p, out);
        }
    }
    return out;
}

export const helmValuesNoLatestImages: ResourceValidationPolicy = {
    name: "helm-values-no-latest-images",
    description: `Checks whether no Helm chart values select a floating image tag (${floatingTags.join(", ")}, in any case).`,
    enforcementLevel: "mandatory",
    validateResource: forCharts((args, report) => {
        const paths = latestImages(safe(() => args.props.values) ?? {}, "values");
        if (paths.length > 0) {
            report(`Chart values use a floating image tag at ${paths.join(", ")}; remove the override (the chart pins its images) or pin a version.`);
        }
    }),
};

/** `registry/repo:tag`: the registry is the first segment when it has a dot, a colon or is localhost; else Docker Hub. */
export function imageRegistry(image: string): string {
    // Stryker disable next-line StringLiteral: split always yields a first element, so the default never applies
    const [first = ""] = image.split("/");
    return image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost") ? first.toLowerCase() : "docker.io";
}

function floatingTagOf(image: string): string | undefined {
    // Stryker disable next-line ConditionalExpression,BlockStatement: after "@" comes the digest (sha256:<hex>), whose colon never reads as a floating tag
    if (image.includes("@")) {
        return undefined;
    }
    const lastSlash = image.lastIndexOf("/");
    // Stryker disable next-line ArithmeticOperator: a colon found just before the last slash gives a tag starting "/", never a floating one
    const colon = image.indexOf(":", lastSlash + 1);
    // Stryker disable next-line EqualityOperator: an image reference never starts with a colon
    const tag = colon >= 0 ? image.slice(colon + 1) : undefined;
    return tag !== undefined && isFloatingTag(tag) ? tag : undefined;
}

/**
 * Registries images may come from: the upstream projects' own (Docker Hub, Quay, GitHub, the
 * Kubernetes project, Elastic) and the program's in India (ECR in ap-south-1/2, Artifact Registry
 * in asia-south1/2). Anything else is a new supply-chain dependency to review and add here.
 */
export const trustedRegistries: readonly (string | RegExp)[] = [
    "docker.io", "quay.io", "ghcr.io", "registry.k8s.io", "docker.elastic.co",
    // AWS's own public gallery, for the images AWS publishes there only (Karpenter's controller, pinned by digest).
    /^public\.ecr\.aws$/,
    /^\d{12}\.dkr\.ecr\.ap-south-[12]\.amazonaws\.com$/,
    /^asia-south[12]-docker\.pkg\.dev$/,
];

export function isTrustedRegistry(registry: string): boolean {
    return trustedRegistries.some(r => (typeof r === "string" ? r === registry : r.test(registry)));
}

export const containerImageTrusted: ResourceValidationPolicy = {
    name: "container-image-trusted",
    description: `Checks whether every container image (ours and chart-rendered) comes from an allowlisted registry and no tag floats (${floatingTags.join(", ")}, in any case).`,
    enforcementLevel: "mandatory",
    validateResource: forPods((pod, report) => {
        for (const c of containersOf(pod.spec)) {
            const image = whenKnown(() => c.container.image);
            if (typeof image !== "string") {
                continue;
            }
            const registry = imageRegistry(image);
            if (!isTrustedRegistry(registry)) {
                report(`${pod.kind} ${pod.name}: ${c.label} image ${image} comes from ${registry}, which is not an allowlisted registry; mirror it to ECR/Artifact Registry in India or add the registry to trustedRegistries (policies/charts.ts) after review.`);
            }
            const tag = floatingTagOf(image);
            if (tag !== undefined) {
                report(`${pod.kind} ${pod.name}: ${c.label} image ${image} uses the floating tag ${JSON.stringify(tag)}; pin a release tag or a digest.`);
            }
        }
    }),
};

export const chartPolicies = [helmChartVendored, helmChartSourceHttps, helmValuesNoLatestImages, containerImageTrusted];
