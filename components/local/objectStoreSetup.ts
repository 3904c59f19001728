/**
 * Creates the development object store's buckets, the backup writer's policy and its user. The
 * MinIO chart does this in a post-install hook Job, which `helm.v4.Chart` never runs, so the
 * program runs its own Job, after the chart, with the same `mc` client. Every step is idempotent,
 * so a re-run (a changed spec replaces the Job) converges on the same state.
 */
import * as k8s from "../k8s/sdk";
import * as pulumi from "@pulumi/pulumi";
import { appLabels } from "../naming";
import { backupWriterPolicy, buckets, images, jobSizes, names, podLabels, ports, releases, restrictedContainer } from "./charts";

export interface ObjectStoreSetupArgs {
    readonly namespace: pulumi.Input<string>;
}

/** The shell script the Job runs; credentials come from the environment, never the command line. */
export function objectStoreSetupScript(): string {
    const alias = "local";
    return [
        "set -eu",
        `mc alias set ${alias} "http://${releases.minio}:${ports.objectStore}" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"`,
        ...Object.values(buckets).map(b => `mc mb --ignore-existing ${alias}/${b}`),
        `printf '%s' "$POLICY_JSON" > /tmp/policy.json`,
        `mc admin policy create ${alias} ${names.backupPolicy} /tmp/policy.json`,
        `mc admin user add ${alias} ${names.backupUser} "$BACKUP_SECRET_KEY"`,
        // Attaching an attached policy fails; the listing shows whether it is there.
        `mc admin user info ${alias} ${names.backupUser} | grep -q '${names.backupPolicy}' || mc admin policy attach ${alias} ${names.backupPolicy} --user ${names.backupUser}`,
    ].join("\n");
}

export function objectStoreSetupJob(name: string, args: ObjectStoreSetupArgs, opts: pulumi.CustomResourceOptions): k8s.batch.v1.Job {
    const secretEnv = (envName: string, secret: string, key: string) => ({ name: envName, valueFrom: { secretKeyRef: { name: secret, key } } });
    return new k8s.batch.v1.Job(name, {
        metadata: { name: "minio-setup", namespace: args.namespace, labels: appLabels("minio-setup", "data") },
        spec: {
            // Retries while MinIO starts; Pulumi waits for completion.
            backoffLimit: 10,
            template: {
                // The object store's NetworkPolicy admits these labels.
                metadata: { labels: { ...podLabels.minioJob } },
                spec: {
                    restartPolicy: "OnFailure",
                    automountServiceAccountToken: false,
                    securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
                    containers: [{
                        name: "mc",
                        image: `${images.mc.repository}:${images.mc.tag}`,
                        command: ["/bin/sh", "-c", objectStoreSetupScript()],
                        env: [
                            secretEnv("MINIO_ROOT_USER", names.minioRootSecret, "rootUser"),
                            secretEnv("MINIO_ROOT_PASSWORD", names.minioRootSecret, "rootPassword"),
                            secretEnv("BACKUP_SECRET_KEY", names.minioBackupUserSecret, "secretKey"),
                            { name: "POLICY_JSON", value: JSON.stringify(backupWriterPolicy()) },
                            // mc keeps its alias config under its config dir: the only writable path.
                            { name: "MC_CONFIG_DIR", value: "/tmp/.mc" },
                        ],
                        resources: jobSizes,
                        securityContext: { ...restrictedContainer, readOnlyRootFilesystem: true },
                        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                    }],
                    volumes: [{ name: "tmp", emptyDir: { sizeLimit: "16Mi" } }],
                },
            },
        },
    }, opts);
}
