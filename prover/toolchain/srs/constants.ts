/**
 * Constants of the BN254 trusted setup as bb 5.0 hard-codes them, and of our dev SRS files.
 *
 * bb pins the Aztec Ignition ceremony in three places: the 128-byte serialisation of [x]_2 (used by
 * its verifier, which ignores bn254_g2.dat), the SHA-256 of those bytes (checked when a G2 point is
 * loaded) and the 64-byte second G1 point [x]_1 (checked when G1 points are handed over the API).
 */

/** Aztec Ignition [x]_2 in bb's byte order: x.c0 || x.c1 || y.c0 || y.c1, each 32-byte big-endian. */
export const IGNITION_G2_HEX =
  '0118c4d5b837bcc2bc89b5b398b5974e9f5944073b32078b7e231fec938883b0' +
  '260e01b251f6f1c7e7ff4e580791dee8ea51d87a358e038b4efe30fac09383c1' +
  '22febda3c0c0632a56475b4214e5615e11e6dd3f96e6cea2854a87d4dacc5e55' +
  '04fc6369f7110fe3d25156c1bb9a72859cf2a04641f99ba4ee413c80da6a5fe4';

/** Aztec Ignition [x]_1 (the second G1 point of the CRS): x || y, each 32-byte big-endian. */
export const IGNITION_G1_SECOND_HEX =
  '2d360628289ff943ff6bd1a87bbe4e62abe7fb61ba83effd266f22bdcf31e6f9' + '26b92a79e563c3f48252cce7feeca2f0f8d33dcb4ef7b0643bf07bd405700aaa';

/** Bytes per uncompressed G1 point in bn254_g1.dat. */
export const G1_POINT_BYTES = 64;
/** Bytes of bn254_g2.dat. */
export const G2_POINT_BYTES = 128;
