import net from "node:net";

/** The Redis the tests may use (TEST_REDIS_URL), and whether it answers: tests of it skip otherwise. */
export const TEST_REDIS = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export async function redisReachable(url = TEST_REDIS): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    socket.setTimeout(500);
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}
