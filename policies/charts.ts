/**
 * Helm charts: a pinned chart version from an HTTPS or OCI source, and no `latest` images in the
 * values. A Helm v4 Chart (like a v3 Chart) is a component: a real engine analyses its
 * registration with no inputs, and judges the objects it renders instead, so these apply to a
 * chart only when its inputs are there (a v3 Release, or a chart as the offline tests build it).
 * The program's own pins are held to the same rules by a unit test over its chart tables.
 */
import { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes, helmChartTypes, knownEntries, safe, whenKnown } from "./helpers";

/** An exact SemVer (optionally v-prefixed); ranges and wildcards would float to new releases. */
export const exactVersion = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** A chart archive vendored in the repository's charts/ folder (digest in charts/SHA256SUMS): nothing is fetched. */
export const vendoredChart = /^charts\/[a-z0-9][a-z0-9-]*-v?\d+\.\d+\.\d+\.tgz$/;

/** Whether a chart reference is fetched over TLS (an oci:// chart, a chart from an https:// repository) or not fetched at all. */
export function isTlsChartSource(chart: string, repo: unknown): boolean {
    return chart.startsWith("oci://") || (typeof repo === "string" && repo.startsWith("https://")) || (repo === undefined && vendoredChart.test(chart));
}

/**
 * Runs `check` on a chart whose inputs the analyzer can see; a chart component registered without
 * them (as every real engine registers a Helm v4 Chart) is not applicable.
 */
function forCharts(check: (args: ResourceValidationArgs, report: ReportViolation) => void) {
    return forTypes(helmChartTypes, (args, report) => {
        // `in` asks the proxy's target, so it sees an unknown chart input as present.
        if (args.type !== "kubernetes:helm.sh/v3:Release" && !("chart" in args.props)) {
            args.notApplicable("A Helm chart component is registered without its inputs; the policies judge the objects it renders.");
        }
        check(args, report);
    });
}

export const helmChartVersionPinned: ResourceValidationPolicy = {
    name: "helm-chart-version-pinned",
    description: "Checks whether every Helm chart is pinned to an exact version.",
    enforcementLevel: "mandatory",
    validateResource: forCharts((args, report) => {
        const version = safe(() => args.props.version);
        if (typeof version !== "string" || !exactVersion.test(version)) {
            report(`Chart ${JSON.stringify(whenKnown(() => args.props.chart) ?? args.name)} version is ${JSON.stringify(version ?? null)}; set version to an exact release such as "4.12.1".`);
        }
    }),
};

export const helmChartSourceHttps: ResourceValidationPolicy = {
    name: "helm-chart-source-https",
    description: "Checks whether every Helm chart comes from an HTTPS repository or an OCI registry over TLS.",
    enforcementLevel: "mandatory",
    validateResource: forCharts((args, report) => {
        const chart = String(safe(() => args.props.chart) ?? "");
        const repo = safe(() => args.props.repositoryOpts?.repo);
        if (safe(() => args.props.plainHttp) === true) {
            report("Chart is pulled over plain HTTP; remove plainHttp.");
        }
        if (!isTlsChartSource(chart, repo)) {
            report(`Chart ${JSON.stringify(chart)} comes from ${JSON.stringify(repo ?? null)}; set repositoryOpts.repo to the chart's https:// repository or use an oci:// chart reference.`);
        }
    }),
};

/**
 * Paths of `tag: latest` values and `image: x:latest` strings in chart values. A value unknown
 * during preview is skipped, so one computed value does not stop the scan of the rest.
 */
export function latestImages(v: unknown, path: string, out: string[] = []): string[] {
    const list = Array.isArray(v);
    for (const [k, x] of knownEntries(v)) {
        const p = list ? `${path}[${k}]` : path ? `${path}.${k}` : k;
        if (!list && typeof x === "string" && ((k === "tag" && x === "latest") || (/image$/i.test(k) && /:latest$/.test(x)))) {
            out.push(p);
        } else {
            latestImages(x, p, out);
        }
    }
    return out;
}

export const helmValuesNoLatestImages: ResourceValidationPolicy = {
    name: "helm-values-no-latest-images",
    description: "Checks whether no Helm chart values select a `latest` image.",
    enforcementLevel: "mandatory",
    validateResource: forCharts((args, report) => {
        const paths = latestImages(safe(() => args.props.values) ?? {}, "values");
        if (paths.length > 0) {
            report(`Chart values use the latest image at ${paths.join(", ")}; remove the override (the chart pins its images) or pin a version.`);
        }
    }),
};

export const chartPolicies = [helmChartVersionPinned, helmChartSourceHttps, helmValuesNoLatestImages];
