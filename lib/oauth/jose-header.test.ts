import { describe, expect, it } from "vitest";

import { accessTokenHeader } from "./jose-header.ts";

const KID = "CemGnTlzuOddp_tNFX2WLpH-LyyNGXrvuPXyzKWkyPY";
const token = (header: string) => `${Buffer.from(header).toString("base64url")}.e30.sig`;
const member = (extra: string) => token(`{"alg":"ES256","typ":"at+jwt","kid":"${KID}"${extra}}`);

// Guarantee: only a header we would issue gets as far as a key lookup.
describe("the JOSE header of an access token", () => {
  it("is read when it is one we issue", () => {
    expect(accessTokenHeader(member(""))).toEqual({ alg: "ES256", typ: "at+jwt", kid: KID });
    expect(accessTokenHeader(member(',"x5t":"abc","n":1,"b":true'))?.kid).toBe(KID);
  });

  it("is refused for any member of the wrong type, size or value", () => {
    for (const extra of [
      ',"kid":1',
      ',"kid":null',
      ',"kid":{"$ne":1}',
      ',"kid":["a"]',
      `,"kid":"${"k".repeat(129)}"`,
      ',"kid":"\\ud800"',
      ',"kid":"a b"',
      ',"alg":"none"',
      ',"alg":"HS256"',
      ',"typ":"JWT"',
      ',"typ":1',
      ',"jku":"http://127.0.0.1/"',
      ',"x5u":"http://[::1]/"',
      ',"x5c":[]',
      ',"jwk":{}',
      ',"crit":[]',
      ',"b64":false',
      ',"nested":{"a":1}',
      `,"big":"${"x".repeat(257)}"`,
      ',"odd":"\\udfff"',
      `,"${"n".repeat(33)}":1`,
      Array.from({ length: 9 }, (_, i) => `,"m${i}":1`).join(""),
    ]) {
      expect(accessTokenHeader(member(extra)), extra).toBeNull();
    }
  });

  it("is refused when it is not a base64url JSON object of UTF-8 text", () => {
    for (const raw of ["", ".", "%%%.e30.x", "e30", `${"e".repeat(1025)}.e30.x`]) {
      expect(accessTokenHeader(raw), raw).toBeNull();
    }
    for (const header of ["[]", "null", "1", '"ES256"', "{", "not json"]) {
      expect(accessTokenHeader(token(header)), header).toBeNull();
    }
    expect(accessTokenHeader(`${Buffer.from([0x7b, 0xff, 0x7d]).toString("base64url")}.e30.x`)).toBeNull();
  });
});
