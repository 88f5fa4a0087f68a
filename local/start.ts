/** `npm start`: the whole desk on this machine, with demo data, until Ctrl-C. */
import { JavaMissingError } from './dynamodb-local.js';
import { startLocal } from './runtime.js';
import { DEMO_PASSWORD, DEMO_SUPPORT_ADDRESS } from './seed.js';

const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got "${process.env.PORT}"`);
  process.exit(2);
}

const smtpPort = Number(process.env.SMTP_PORT ?? 2525);
if (!Number.isInteger(smtpPort) || smtpPort < 0 || smtpPort > 65535) {
  console.error(`SMTP_PORT must be a port number, got "${process.env.SMTP_PORT}"`);
  process.exit(2);
}

const started = Date.now();
try {
  const desk = await startLocal({ port, smtpPort });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`
  Help desk running (started in ${seconds} s)

    Agent app     ${desk.url}
    API           ${desk.url}/health · ${desk.url}/openapi.json
    Mail in       smtp://127.0.0.1:${desk.smtpPort} for ${desk.mail.settings.supportAddresses.map((a) => a.address).join(', ')}
    Mail out      ${desk.url}/outbox (raw files in .local/mail/outbox)
    DynamoDB      ${desk.dynamoEndpoint} (DynamoDB Local, data in .local/)
    Demo data     ${desk.seeded ? 'seeded just now' : 'kept from the last run'}

  Sign in as admin@demo.local or agent@demo.local, password "${DEMO_PASSWORD}".
  Customers write to ${DEMO_SUPPORT_ADDRESS} (e.g. swaks --server 127.0.0.1:${desk.smtpPort} --to ${DEMO_SUPPORT_ADDRESS});
  the web form posts to ${desk.url}/public/tickets.
  Press Ctrl-C to stop.
`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await desk.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  if (error instanceof JavaMissingError) {
    console.error(error.message);
    process.exit(1);
  }
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(
      `Port ${port} or ${smtpPort} is in use. Stop what uses it or pick others: PORT=3100 SMTP_PORT=2526 npm start`,
    );
    process.exit(1);
  }
  throw error;
}
