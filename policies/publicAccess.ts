/**
 * Object storage that grants access to everyone, by whichever door: an S3 canned ACL or grant to
 * AllUsers / AuthenticatedUsers, an S3 bucket policy allowing Principal "*", a GCS IAM member or
 * ACL entity allUsers / allAuthenticatedUsers. A public access block is a second line, not the
 * only one: a grant that depends on it being applied last is still refused.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, decoded, forTypes, isObject, safe } from "./helpers";

const publicCannedAcls: readonly string[] = ["public-read", "public-read-write", "authenticated-read"];
const publicGroupUris = /\/global\/(AllUsers|AuthenticatedUsers)$/;

const s3AclTypes = ["aws:s3/bucketAclV2:BucketAclV2", "aws:s3/bucketAcl:BucketAcl", "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:s3/bucketObject:BucketObject", "aws:s3/bucketObjectv2:BucketObjectv2"];

/** Public canned ACLs and grants to everyone in an S3 resource's inputs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- resource properties as policies receive them: untyped provider JSON
function publicAclGrants(props: Record<string, any>): string[] {
    const found: string[] = [];
    const acl = safe(() => props.acl);
    if (typeof acl === "string" && publicCannedAcls.includes(acl)) {
        found.push(`acl ${acl}`);
    }
    const policy = safe(() => props.accessControlPolicy);
    const grants = [...asArray(policy?.grants), ...asArray(safe(() => props.grants))].filter(isObject);
    for (const g of grants) {
        const uri = g.grantee?.uri ?? g.uri;
        if (typeof uri === "string" && publicGroupUris.test(uri)) {
            found.push(`a grant to ${uri.split("/").pop()}`);
        }
    }
    return found;
}

/** Whether a statement's principal is everyone: "*", { AWS: "*" } or a list holding "*". */
export function isEveryone(principal: unknown): boolean {
    if (principal === "*") {
        return true;
    }
    return isObject(principal) && (principal.AWS === "*" || asArray(principal.AWS).includes("*"));
}

export const s3BucketNotPublic: ResourceValidationPolicy = {
    name: "s3-bucket-not-public",
    description: "Checks whether no S3 ACL grants everyone access (public canned ACLs, AllUsers / AuthenticatedUsers grants) and no bucket policy allows Principal \"*\".",
    enforcementLevel: "mandatory",
    validateResource: forTypes([...s3AclTypes, "aws:s3/bucketPolicy:BucketPolicy"], (args, report) => {
        if (args.type !== "aws:s3/bucketPolicy:BucketPolicy") {
            const grants = publicAclGrants(args.props);
            if (grants.length > 0) {
                report(`S3 ${grants.join(" and ")} makes objects public; use acl private (or BucketOwnershipControls BucketOwnerEnforced) and serve public files through CloudFront.`);
            }
            return;
        }
        const doc = decoded(safe(() => args.props.policy));
        const open = asArray(doc?.Statement).map((st, i) => JSON.stringify(st?.Sid ?? i)).filter((_, i) => doc.Statement[i]?.Effect === "Allow" && isEveryone(doc.Statement[i]?.Principal));
        if (open.length > 0) {
            report(`Bucket policy allows Principal "*" (statement ${open.join(", ")}); grant named principals only (the CloudFront service with an AWS:SourceArn condition, roles of this account).`);
        }
    }),
};

const everyone = /^(allUsers|allAuthenticatedUsers)$/;
const gcsIamTypes = ["gcp:storage/bucketIAMMember:BucketIAMMember", "gcp:storage/bucketIAMBinding:BucketIAMBinding"];
const gcsAclTypes = [
    "gcp:storage/bucketAccessControl:BucketAccessControl", "gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl",
    "gcp:storage/objectAccessControl:ObjectAccessControl",
];

export const gcsBucketNotPublic: ResourceValidationPolicy = {
    name: "gcs-bucket-not-public",
    description: "Checks whether no Cloud Storage IAM member, binding, policy or ACL grants allUsers or allAuthenticatedUsers.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([...gcsIamTypes, ...gcsAclTypes, "gcp:storage/bucketIAMPolicy:BucketIAMPolicy"], (args, report) => {
        let members: unknown[];
        if (gcsAclTypes.includes(args.type)) {
            members = [safe(() => args.props.entity)];
        } else if (args.type === "gcp:storage/bucketIAMPolicy:BucketIAMPolicy") {
            members = asArray(decoded(safe(() => args.props.policyData))?.bindings).flatMap(b => asArray(b?.members));
        } else {
            members = [safe(() => args.props.member), ...asArray(safe(() => args.props.members))];
        }
        const open = members.filter((m): m is string => typeof m === "string" && everyone.test(m));
        if (open.length > 0) {
            report(`Bucket access is granted to ${open.join(", ")}, which makes it public; grant named service accounts and serve public files through Cloud CDN.`);
        }
    }),
};

export const publicAccessPolicies = [s3BucketNotPublic, gcsBucketNotPublic];
