/** `helm.v4` alone (`@pulumi/kubernetes/helm` also loads v3 and its chart-fetching code); see sdk.ts. */
export * as v4 from "@pulumi/kubernetes/helm/v4";
