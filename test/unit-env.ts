import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";

// Unit tests never touch the developer's data folder or secrets.
process.env.KEYWARD_DATA_DIR = path.join(os.tmpdir(), `keyward-unit-${process.pid}`);
process.env.KEYWARD_SECRET ??= randomBytes(32).toString("base64url");
process.env.KEYWARD_ENCRYPTION_KEY ??= randomBytes(32).toString("base64");
