/** The auth service's generated JWT signing secret. */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** Length of the generated JWT signing secret (HS256 wants at least 32 bytes). */
export const jwtSecretLength = 64;

/**
 * The auth service's HMAC signing secret, generated with @pulumi/random on the foundation's
 * explicit random provider; a secret.
 */
export function generateJwtSecret(resourceName: string, opts: { readonly parent: pulumi.Resource; readonly provider: random.Provider }): pulumi.Output<string> {
    const jwt = new random.RandomPassword(resourceName, { length: jwtSecretLength, special: false }, { parent: opts.parent, provider: opts.provider });
    return pulumi.secret(jwt.result);
}
