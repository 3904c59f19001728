/**
 * Helm charts. Offline (and before a real preview renders them) only the chart and its values are
 * visible, so these check what the program owns: a pinned chart version from an HTTPS or OCI
 * source, and no `latest` images in the values.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes, isObject, safe } from "./helpers";

const charts = ["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Release"];

/** An exact SemVer (optionally v-prefixed); ranges and wildcards would float to new releases. */
const exactVersion = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export const helmChartVersionPinned: ResourceValidationPolicy = {
    name: "helm-chart-version-pinned",
    description: "Checks whether every Helm chart is pinned to an exact version.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(charts, (args, report) => {
        const version = safe(() => args.props.version);
        if (typeof version !== "string" || !exactVersion.test(version)) {
            report(`Chart ${JSON.stringify(safe(() => args.props.chart) ?? args.name)} version is ${JSON.stringify(version ?? null)}; set version to an exact release such as "4.12.1".`);
        }
    }),
};

export const helmChartSourceHttps: ResourceValidationPolicy = {
    name: "helm-chart-source-https",
    description: "Checks whether every Helm chart comes from an HTTPS repository or an OCI registry over TLS.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(charts, (args, report) => {
        const chart = String(safe(() => args.props.chart) ?? "");
        const repo = safe(() => args.props.repositoryOpts?.repo);
        if (safe(() => args.props.plainHttp) === true) {
            report("Chart is pulled over plain HTTP; remove plainHttp.");
        }
        if (chart.startsWith("oci://")) {
            return;
        }
        if (typeof repo !== "string" || !repo.startsWith("https://")) {
            report(`Chart ${JSON.stringify(chart)} comes from ${JSON.stringify(repo ?? null)}; set repositoryOpts.repo to the chart's https:// repository or use an oci:// chart reference.`);
        }
    }),
};

/** Paths of `tag: latest` values and `image: x:latest` strings in chart values. */
function latestImages(v: unknown, path: string, out: string[] = []): string[] {
    if (Array.isArray(v)) {
        v.forEach((x, i) => latestImages(x, `${path}[${i}]`, out));
    } else if (isObject(v)) {
        for (const [k, x] of Object.entries(v)) {
            const p = path ? `${path}.${k}` : k;
            if (typeof x === "string" && ((k === "tag" && x === "latest") || (/image$/i.test(k) && /:latest$/.test(x)))) {
                out.push(p);
            } else {
                latestImages(x, p, out);
            }
        }
    }
    return out;
}

export const helmValuesNoLatestImages: ResourceValidationPolicy = {
    name: "helm-values-no-latest-images",
    description: "Checks whether no Helm chart values select a `latest` image.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(charts, (args, report) => {
        const paths = latestImages(safe(() => args.props.values) ?? {}, "values");
        if (paths.length > 0) {
            report(`Chart values use the latest image at ${paths.join(", ")}; remove the override (the chart pins its images) or pin a version.`);
        }
    }),
};

export const chartPolicies = [helmChartVersionPinned, helmChartSourceHttps, helmValuesNoLatestImages];
