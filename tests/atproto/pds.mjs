// A Bluesky PDS (the reference implementation from npm) and a small in-memory PLC directory,
// in one Node process on 127.0.0.1, for the Bluesky connector's tests.
//
// The PLC directory is a handful of routes: the PDS posts an account's signed genesis operation
// and later reads the DID document back. @did-plc/lib validates the operations, so an account the
// PDS creates here is as valid as one on plc.directory; nothing leaves the machine.
//
// Usage: node pds.mjs <pds-port> <plc-port> <data-dir>
import http from 'node:http'
import fs from 'node:fs'
import path from 'node:path'
import * as plc from '@did-plc/lib'
import { Secp256k1Keypair } from '@atproto/crypto'
import { PDS, envToCfg, envToSecrets, readEnv } from '@atproto/pds'

const port = Number(process.argv[2])
const plcPort = Number(process.argv[3])
const dataDir = process.argv[4]

const operations = new Map() // did -> [operation, ...]

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

async function documentData(did) {
  const ops = operations.get(did)
  return ops ? await plc.validateOperationLog(did, ops) : null
}

const directory = http.createServer(async (req, res) => {
  try {
    const [, rawDid, ...rest] = new URL(req.url, 'http://plc').pathname.split('/')
    const did = decodeURIComponent(rawDid)
    const tail = rest.join('/')
    if (did === '_health') return send(res, 200, { version: 'liant-test' })
    if (req.method === 'POST' && tail === '') {
      const chunks = []
      for await (const chunk of req) chunks.push(chunk)
      const op = JSON.parse(Buffer.concat(chunks).toString())
      const ops = [...(operations.get(did) ?? []), op]
      await plc.validateOperationLog(did, ops) // throws on a bad signature or a wrong did
      operations.set(did, ops)
      return send(res, 200, {})
    }
    const data = await documentData(did)
    if (!data) return send(res, 404, { message: `DID not registered: ${did}` })
    const ops = operations.get(did)
    if (tail === '') return send(res, 200, plc.formatDidDoc(data))
    if (tail === 'data') return send(res, 200, data)
    if (tail === 'log') return send(res, 200, ops)
    if (tail === 'log/last') return send(res, 200, ops[ops.length - 1])
    return send(res, 404, { message: 'not found' })
  } catch (err) {
    return send(res, 400, { message: String(err?.message ?? err) })
  }
})

await new Promise((resolve) => directory.listen(plcPort, '127.0.0.1', resolve))

const rotation = await Secp256k1Keypair.create({ exportable: true })
const hex = (bytes) => Buffer.from(bytes).toString('hex')
fs.mkdirSync(path.join(dataDir, 'blobs'), { recursive: true })

Object.assign(process.env, {
  PDS_PORT: String(port),
  PDS_HOSTNAME: 'localhost',
  PDS_DEV_MODE: 'true',
  PDS_INVITE_REQUIRED: 'false',
  PDS_DATA_DIRECTORY: dataDir,
  PDS_BLOBSTORE_DISK_LOCATION: path.join(dataDir, 'blobs'),
  PDS_DID_PLC_URL: `http://127.0.0.1:${plcPort}`,
  PDS_SERVICE_HANDLE_DOMAINS: '.test',
  PDS_JWT_SECRET: 'liant-test-jwt-secret',
  PDS_ADMIN_PASSWORD: 'liant-test-admin',
  PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: hex(await rotation.export()),
  PDS_RATE_LIMITS_ENABLED: 'false',
  LOG_ENABLED: 'false',
})

const env = readEnv()
const pds = await PDS.create(envToCfg(env), envToSecrets(env))
await pds.start()
fs.writeFileSync(path.join(dataDir, 'pds.pid'), String(process.pid))

const stop = async () => {
  await pds.destroy()
  directory.close()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
