// The API benchmark's floor: a Fastify hello-world, as Fastify's own benchmarks run it (no
// logger, one JSON route). Prints the address it listens on, then serves until SIGTERM.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening on ${address}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
