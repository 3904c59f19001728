/**
 * policies/charts.ts's rules, called as the analyzer calls them: each Helm resource and each image
 * varies one property next to the form that passes, with the exact message or none.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { expect } from "chai";
import {
    containerImageTrusted, helmChartSourceHttps, helmChartVendored, helmValuesNoLatestImages, imageRegistry, isFloatingTag, isTrustedRegistry,
    latestImages, vendoredArchive,
} from "../policies/charts";
import { verdict } from "./policies-units-harness";

type Props = Record<string, unknown>;

const v4 = "kubernetes:helm.sh/v4:Chart";
const v3 = "kubernetes:helm.sh/v3:Chart";
const release = "kubernetes:helm.sh/v3:Release";
const reports = (policy: ResourceValidationPolicy, props: Props, type = v4) => verdict(policy, type, props).reports;

describe("policy units: helm-chart-vendored", () => {
    const notVendored = (chart: string) => [`Chart ${chart} is not a vendored archive; copy the chart's release archive into charts/, record its sha256 in charts/SHA256SUMS ` +
        "and vendoredCharts (policies/charts.ts), and set chart to \"./charts/<name>-<version>.tgz\"."];

    it("names a vendored archive only for ./charts/<file>.tgz or charts/<file>.tgz with a recorded sha256", () => {
        expect(vendoredArchive("./charts/nats-2.12.3.tgz")).to.equal("nats-2.12.3.tgz");
        expect(vendoredArchive("charts/nats-2.12.3.tgz")).to.equal("nats-2.12.3.tgz");
        for (const chart of ["./charts/ingress-nginx-4.15.0.tgz", "vendor/charts/nats-2.12.3.tgz", "./charts/nats-2.12.3.tgz/x.tgz", "charts/nats-2.12.3.tgz.bak",
            "./charts/sub/nats-2.12.3.tgz", ["charts/nats-2.12.3.tgz"], undefined]) {
            expect(vendoredArchive(chart), JSON.stringify(chart)).to.equal(undefined);
        }
    });

    it("judges the chart a v4 Chart, v3 Chart or v3 Release installs, the v3 path before the chart", () => {
        expect(reports(helmChartVendored, { chart: "./charts/nats-2.12.3.tgz" })).to.deep.equal([]);
        expect(reports(helmChartVendored, { chart: "oci://registry.example.com/charts/nats", version: "1.2.6" })).to.deep.equal(notVendored("\"oci://registry.example.com/charts/nats\""));
        expect(reports(helmChartVendored, { path: "./charts/nats-2.12.3.tgz", chart: "nats" }, v3)).to.deep.equal([]);
        expect(reports(helmChartVendored, { path: "./charts/ingress-nginx-4.15.0.tgz" }, v3)).to.deep.equal(notVendored("\"./charts/ingress-nginx-4.15.0.tgz\""));
        expect(reports(helmChartVendored, { name: "nats" }, release)).to.deep.equal(notVendored("null"));
        expect(reports(helmChartVendored, { chart: "./charts/nats-2.12.3.tgz" }, "kubernetes:apps/v1:Deployment")).to.deep.equal([]);
    });

    it("leaves a chart component registered without its inputs to its rendered objects, but never a Release", () => {
        const bare = "A Helm chart component is registered without its inputs; the policies judge the objects it renders.";
        expect(verdict(helmChartVendored, v4, {})).to.deep.equal({ reports: [], notApplicable: bare });
        expect(verdict(helmChartVendored, v3, { values: {} })).to.deep.equal({ reports: [], notApplicable: bare });
        expect(verdict(helmChartVendored, v3, { path: "./charts/nats-2.12.3.tgz" })).to.deep.equal({ reports: [] });
        expect(verdict(helmChartVendored, release, {}).notApplicable).to.equal(undefined);
    });
});

describe("policy units: helm-chart-source-https", () => {
    const plainSource = (source: string) => `Chart source ${JSON.stringify(source)} is plain HTTP; install the vendored archive from charts/ instead.`;
    const plainPull = "Chart is pulled over plain HTTP; remove plainHttp and install the vendored archive.";
    const https = (props: Props, type = v4) => reports(helmChartSourceHttps, { chart: "./charts/nats-2.12.3.tgz", ...props }, type);

    it("refuses plainHttp on the chart or its fetch options", () => {
        expect(https({ plainHttp: true })).to.deep.equal([plainPull]);
        expect(https({ fetchOpts: { plainHttp: true } }, v3)).to.deep.equal([plainPull]);
        expect(https({ plainHttp: false, fetchOpts: { plainHttp: false } })).to.deep.equal([]);
    });

    it("refuses an http:// chart or repository in every field that names one, in any case", () => {
        expect(https({ chart: "http://charts.example.com/nats-1.0.0.tgz" })).to.deep.equal([plainSource("http://charts.example.com/nats-1.0.0.tgz")]);
        expect(https({ repositoryOpts: { repo: "HTTP://charts.example.com" } })).to.deep.equal([plainSource("HTTP://charts.example.com")]);
        expect(https({ fetchOpts: { repo: "http://charts.example.com" } }, v3)).to.deep.equal([plainSource("http://charts.example.com")]);
        expect(https({ repo: "http://charts.example.com" }, v3)).to.deep.equal([plainSource("http://charts.example.com")]);
        expect(https({ repositoryOpts: { repo: "https://proxy.example.com/http://charts.example.com" } })).to.deep.equal([]);
        // A repository that is no string is the provider's to refuse.
        expect(https({ repositoryOpts: { repo: ["http://charts.example.com"] } })).to.deep.equal([]);
    });
});

describe("policy units: helm-values-no-latest-images", () => {
    const floating = (paths: string) => [`Chart values use a floating image tag at ${paths}; remove the override (the chart pins its images) or pin a version.`];
    const values = (v: unknown) => reports(helmValuesNoLatestImages, { chart: "./charts/nats-2.12.3.tgz", values: v });

    it("finds floating tags under tag keys and image strings, at any depth and in lists", () => {
        expect(values({ image: { tag: "latest" }, sidecar: { imageTag: "Stable" } })).to.deep.equal(floating("values.image.tag, values.sidecar.imageTag"));
        expect(values({ containers: [{ name: "a", image: "nats:edge" }], initImage: "busybox:MAIN" })).to.deep.equal(floating("values.containers[0].image, values.initImage"));
        expect(latestImages({ tag: "master" }, "")).to.deep.equal(["tag"]);
    });

    it("passes pinned tags, image strings without a floating tag, and other keys", () => {
        expect(values({ image: { tag: "1.2.3", repository: "nats" }, initImage: "ghcr.io/nats-io/nats:2.10", sidecarImage: "nats@sha256:0123" })).to.deep.equal([]);
        expect(values({ tagline: "latest", pretag: "latest", notes: "moved off node:stable", imageNotes: "moved off node:stable", tags: ["latest"] })).to.deep.equal([]);
        expect(values(undefined)).to.deep.equal([]);
    });
});

describe("policy units: container-image-trusted", () => {
    const pod = (...images: unknown[]) => reports(containerImageTrusted, {
        metadata: { name: "api" }, spec: { template: { spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) } } },
    }, "kubernetes:apps/v1:Deployment");
    const untrusted = (c: string, image: string, registry: string) => `Deployment api: container "${c}" image ${image} comes from ${registry}, which is not an allowlisted registry; ` +
        "mirror it to ECR/Artifact Registry in India or add the registry to trustedRegistries (policies/charts.ts) after review.";
    const floats = (c: string, image: string, tag: string) => `Deployment api: container "${c}" image ${image} uses the floating tag "${tag}"; pin a release tag or a digest.`;

    it("reads the registry from the first segment only when it is a host", () => {
        expect(["nats:2.10", "bitnami/redis:7", "nats", "localhost:5000/api", "localhost/api", "GHCR.io/bookkeep/api:1", "registry.example.com/api"].map(imageRegistry))
            .to.deep.equal(["docker.io", "docker.io", "docker.io", "localhost:5000", "localhost", "ghcr.io", "registry.example.com"]);
    });

    it("trusts the named registries and ECR and Artifact Registry in India only", () => {
        expect(["docker.io", "public.ecr.aws", "123456789012.dkr.ecr.ap-south-2.amazonaws.com", "asia-south1-docker.pkg.dev"].map(isTrustedRegistry)).to.deep.equal([true, true, true, true]);
        expect(["123456789012.dkr.ecr.us-east-1.amazonaws.com", "us-docker.pkg.dev", "registry.example.com"].map(isTrustedRegistry)).to.deep.equal([false, false, false]);
        expect(["LATEST", "Edge", "1.0.0", "latest-1"].map(isFloatingTag)).to.deep.equal([true, true, false, false]);
    });

    it("refuses an image from an unlisted registry and one with a floating tag, each on its own", () => {
        expect(pod("ghcr.io/bookkeep/api:1.4.2", "nats:2.10", "quay.io/x/y@sha256:0123", "ghcr.io/bookkeep/api:latest@sha256:0123", "edge")).to.deep.equal([]);
        expect(pod("registry.example.com/api:1.4.2")).to.deep.equal([untrusted("c0", "registry.example.com/api:1.4.2", "registry.example.com")]);
        expect(pod("ghcr.io/bookkeep/api:Edge")).to.deep.equal([floats("c0", "ghcr.io/bookkeep/api:Edge", "Edge")]);
        expect(pod("localhost:5000/api:latest")).to.deep.equal([untrusted("c0", "localhost:5000/api:latest", "localhost:5000"), floats("c0", "localhost:5000/api:latest", "latest")]);
        expect(pod(undefined, 5)).to.deep.equal([]);
    });
});
