// Lazy loader of the optional native addon (build/Release/p4tee_native.node, built at install by
// scripts/build-native.js from native/*.c). nativeStatus() says whether it loaded and, if not, what
// is missing; loadNative() returns the addon or undefined. Nothing else in p4tee needs the addon.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Opaque native handle (an N-API external). */
export type NativeHandle = { readonly __nativeHandle: unique symbol };

export interface ShmRegion {
  readonly buffer: ArrayBuffer;
  readonly handle: NativeHandle;
  readonly created: boolean;
  readonly size: number;
}

export interface AfpRings {
  readonly buffer: ArrayBuffer;
  readonly handle: NativeHandle;
  readonly fd: number;
  readonly rxOffset: number;
  readonly rxBlockSize: number;
  readonly rxBlockCount: number;
  readonly txOffset: number;
  readonly txFrameSize: number;
  readonly txFrameCount: number;
  /** Offset of packet data in a TX frame. */
  readonly txDataOffset: number;
  /** Offset of the sockaddr_ll after an RX packet header. */
  readonly sllOffset: number;
}

export interface AfpOptions {
  readonly rxBlockSize?: number;
  readonly rxBlockCount?: number;
  readonly rxFrameSize?: number;
  readonly txFrameSize?: number;
  readonly txFrameCount?: number;
  readonly blockTimeoutMs?: number;
  readonly qdiscBypass?: boolean;
}

/** The functions the addon exports (afxdp ones are typed by the AF_XDP driver). */
export interface NativeAddon {
  /** mode: 0 create (exclusive), 1 attach, 2 attach or create. */
  shmOpen(name: string, size: number, mode: number): ShmRegion;
  shmClose(handle: NativeHandle, buffer: ArrayBuffer): void;
  shmUnlink(name: string): boolean;
  ifIndex(name: string): number;
  afpOpen(ifindex: number, options: AfpOptions): AfpRings;
  /** Bytes queued or -errno. */
  afpSend(handle: NativeHandle): number;
  /** revents or -errno. */
  afpPoll(handle: NativeHandle, timeoutMs: number, wantTx: boolean): number;
  /** [packets, drops, freezes] since the previous call. */
  afpStats(handle: NativeHandle): [number, number, number];
  afpClose(handle: NativeHandle, buffer: ArrayBuffer): void;
  readonly [name: string]: unknown;
}

export type NativeStatus = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const here = dirname(fileURLToPath(import.meta.url));
/** dist/runtime/io -> package root. */
const DEFAULT_PATH = join(here, '..', '..', '..', 'build', 'Release', 'p4tee_native.node');

let addonPath = process.env.P4TEE_NATIVE_PATH ?? DEFAULT_PATH;
let cached: { addon: NativeAddon | undefined; status: NativeStatus } | undefined;

/** Points the loader at another file (tests simulate a missing addon); forgets any loaded result. */
export function setNativePath(path: string | undefined): void {
  addonPath = path ?? process.env.P4TEE_NATIVE_PATH ?? DEFAULT_PATH;
  cached = undefined;
}

function load(): { addon: NativeAddon | undefined; status: NativeStatus } {
  if (cached !== undefined) return cached;
  if (process.platform !== 'linux') {
    cached = { addon: undefined, status: { ok: false, reason: `native drivers need Linux (this is ${process.platform})` } };
  } else if (!existsSync(addonPath)) {
    cached = {
      addon: undefined,
      status: {
        ok: false,
        reason:
          `native addon missing: ${addonPath} was not built ` +
          '(reinstall with a C compiler, make, python3 and kernel headers present, or run: node scripts/build-native.js)',
      },
    };
  } else {
    try {
      const req = createRequire(import.meta.url);
      cached = { addon: req(addonPath) as NativeAddon, status: { ok: true } };
    } catch (e) {
      cached = { addon: undefined, status: { ok: false, reason: `native addon ${addonPath} failed to load: ${e instanceof Error ? e.message : String(e)}` } };
    }
  }
  return cached;
}

/** Whether the native addon is usable, and why not. */
export function nativeStatus(): NativeStatus {
  return load().status;
}

/** The addon, or undefined when it is missing (see nativeStatus()). */
export function loadNative(): NativeAddon | undefined {
  return load().addon;
}

/** Turns a native exception (Error with .code/.errno) into one clean line. */
export function nativeErrorText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    if (code === 'EPERM' || code === 'EACCES') return `${e.message} (needs root or CAP_NET_RAW/CAP_NET_ADMIN)`;
    return e.message;
  }
  return String(e);
}
