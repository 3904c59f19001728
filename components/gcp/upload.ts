/**
 * How the backup job writes a dump to the backups bucket: one JSON-API media upload with
 * `ifGenerationMatch=0`, authenticated by the pod's Workload Identity token from the GKE metadata
 * server. `gcloud storage cp` (and gsutil) first look the destination up (`objects.get`, then
 * `objects.list`), which the create-only role refuses, so every dump failed with 403. The upload
 * below needs `storage.objects.create` and nothing else; the precondition makes it create-only in
 * fact too: an existing dump is never overwritten (that would also need `storage.objects.delete`),
 * a second upload under the same key fails with 412.
 */

/** The GKE metadata server's token endpoint: the pod's Google service account, via Workload Identity. */
export const metadataTokenUrl = "http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token";
/** Cloud Storage JSON API upload endpoint. */
export const uploadEndpoint = "https://storage.googleapis.com/upload/storage/v1/b";
/** Where the script keeps the bearer header, so the token never appears in a process's arguments. */
export const authorizationFile = "/tmp/gcs-authorization";

/**
 * The shell script (POSIX sh, run under `set -eu`) that uploads `localPath` as `key` in `bucket`.
 * `key` may contain shell expansions (the date file the dump wrote); it is expanded, then encoded.
 */
export function gcsUploadScript(bucket: string, localPath: string, key: string): string {
    return [
        ...bearerAndObject("backup upload", key),
        // -T streams the file (a dump may be larger than the container's memory); --retry covers
        // transient failures only, never a 412.
        `curl -sS --fail-with-body --retry 3 -X POST -T '${localPath}' -H @${authorizationFile} -H 'Content-Type: application/gzip' ` +
            `"${uploadEndpoint}/${bucket}/o?uploadType=media&ifGenerationMatch=0&name=$object"`,
    ].join("\n");
}

/** Cloud Storage JSON API object endpoint (`?alt=media` reads the content). */
export const objectEndpoint = "https://storage.googleapis.com/storage/v1/b";

/**
 * The shell script that downloads `key` of `bucket` to `localPath` (the dump restore Job): one
 * `objects.get`, the only permission its conditional grant gives (components/gcp/identity.ts).
 */
export function gcsDownloadScript(bucket: string, key: string, localPath: string): string {
    return [
        ...bearerAndObject("restore download", key),
        `curl -sS --fail-with-body --retry 3 -o '${localPath}' -H @${authorizationFile} "${objectEndpoint}/${bucket}/o/$object?alt=media"`,
    ].join("\n");
}

/** The Workload Identity token into the header file, and `$object`: `key` URL-encoded. */
function bearerAndObject(what: string, key: string): string[] {
    return [
        // sh has no pipefail: an empty token is what a failed metadata call looks like.
        `token=$(curl -sS --fail --retry 3 -H 'Metadata-Flavor: Google' '${metadataTokenUrl}' | sed -n 's/.*"access_token" *: *"\\([^"]*\\)".*/\\1/p')`,
        `[ -n "$token" ] || { echo '${what}: no access token from the GKE metadata server' >&2; exit 1; }`,
        `printf 'Authorization: Bearer %s\\n' "$token" > ${authorizationFile}`,
        `object=$(printf '%s' "${key}" | sed 's|/|%2F|g')`,
    ];
}
