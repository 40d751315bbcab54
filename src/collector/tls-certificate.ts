import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { CollectorError } from '../errors/index.js'

/** A certificate and key ready for `https.createServer`. */
export interface TlsMaterial {
  /** Absolute path of the certificate (PEM): what clients trust, e.g. `NODE_EXTRA_CA_CERTS`. */
  certFile: string
  keyFile: string
  cert: string
  key: string
  /** True for the collector's own self-signed certificate. */
  selfSigned: boolean
  /** True when the certificate was made by this start (first start, or the old one had expired). */
  created: boolean
}

/** File names of the self-signed certificate and its key in the TLS folder. */
export const CERT_FILE = 'localhost-cert.pem'
export const KEY_FILE = 'localhost-key.pem'
/** How long a self-signed certificate is valid, in days. */
const VALID_DAYS = 365
/** A certificate with less than this left is made again, in milliseconds. */
const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000

/**
 * The collector's self-signed certificate for `localhost`, `127.0.0.1` and `::1`: read from `dir`
 * when one is there and valid for at least 30 more days, otherwise made (RSA 2048 key from
 * `node:crypto`, X.509 built and signed with node-forge) and written there, the key readable by
 * its owner only. The folder also gets a `.gitignore` of `*`, so neither file is ever committed.
 *
 * @throws {EventwireError} `EVENTWIRE_COLLECTOR_TLS_ERROR` when the folder cannot be written.
 */
export async function selfSignedCertificate(dir: string, now: number): Promise<TlsMaterial> {
  const certFile = resolve(dir, CERT_FILE)
  const keyFile = resolve(dir, KEY_FILE)
  if (existsSync(certFile) && existsSync(keyFile)) {
    const cert = readFileSync(certFile, 'utf8')
    const key = readFileSync(keyFile, 'utf8')
    if (stillGood(cert, now)) return { certFile, keyFile, cert, key, selfSigned: true, created: false }
  }
  try {
    const { cert, key } = await makeCertificate(now)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, '.gitignore'), '# made by eventwire dev --https; never commit\n*\n')
    writeFileSync(keyFile, key, { mode: 0o600 })
    chmodSync(keyFile, 0o600)
    writeFileSync(certFile, cert)
    return { certFile, keyFile, cert, key, selfSigned: true, created: true }
  } catch (cause) {
    throw new CollectorError(
      'EVENTWIRE_COLLECTOR_TLS_ERROR',
      `Cannot make the collector's self-signed certificate in ${JSON.stringify(dir)}: ${(cause as Error).message}`,
      { cause },
    )
  }
}

/**
 * Your own certificate and key (PEM files).
 *
 * @throws {EventwireError} `EVENTWIRE_COLLECTOR_TLS_ERROR` when a file cannot be read or is not PEM.
 */
export function certificateFiles(certFile: string, keyFile: string): TlsMaterial {
  try {
    const cert = readFileSync(certFile, 'utf8')
    const key = readFileSync(keyFile, 'utf8')
    new X509Certificate(cert)
    if (!key.includes('PRIVATE KEY-----')) throw new Error(`${keyFile} holds no PEM private key`)
    return {
      certFile: resolve(certFile),
      keyFile: resolve(keyFile),
      cert,
      key,
      selfSigned: false,
      created: false,
    }
  } catch (cause) {
    throw new CollectorError(
      'EVENTWIRE_COLLECTOR_TLS_ERROR',
      `Cannot use ${JSON.stringify(certFile)} and ${JSON.stringify(keyFile)} as the collector's certificate and key: ${(cause as Error).message}`,
      { cause },
    )
  }
}

function stillGood(pem: string, now: number): boolean {
  try {
    const cert = new X509Certificate(pem)
    return (
      Date.parse(cert.validTo) - now > RENEW_BEFORE_MS &&
      Date.parse(cert.validFrom) <= now &&
      cert.checkHost('localhost') !== undefined &&
      cert.checkIP('127.0.0.1') !== undefined
    )
  } catch {
    return false
  }
}

async function makeCertificate(now: number): Promise<{ cert: string; key: string }> {
  const forge = (await import('node-forge')).default
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString())
  // A positive 16-byte serial: the first byte below 0x80.
  cert.serialNumber = `0${randomBytes(16).toString('hex').slice(1)}`
  cert.validity.notBefore = new Date(now - 60_000)
  cert.validity.notAfter = new Date(now + VALID_DAYS * 24 * 60 * 60 * 1000)
  const name = [
    { name: 'commonName', value: 'localhost' },
    { name: 'organizationName', value: 'eventwire dev collector (self-signed)' },
  ]
  cert.setSubject(name)
  cert.setIssuer(name)
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true, keyCertSign: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
      ],
    },
    { name: 'subjectKeyIdentifier' },
  ])
  cert.sign(forge.pki.privateKeyFromPem(key), forge.md.sha256.create())
  return { cert: forge.pki.certificateToPem(cert), key }
}
