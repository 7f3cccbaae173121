/* p4tee native addon: shared declarations. The addon only moves bursts and descriptors (shared
 * memory regions, AF_PACKET rings, AF_XDP sockets); all packet logic stays in TypeScript.
 * Each driver file registers its functions on the module's exports object. */
#ifndef P4TEE_ADDON_H
#define P4TEE_ADDON_H

#include <node_api.h>

void register_shm(napi_env env, napi_value exports);
void register_afpacket(napi_env env, napi_value exports);
void register_afxdp(napi_env env, napi_value exports);
void register_futex(napi_env env, napi_value exports);

/* Helpers shared by the driver files (defined in addon.c). */

/* Throws a JS Error "<what>: <strerror(err)>" with .code = "E..." name and .errno = err; returns NULL. */
napi_value p4_throw_errno(napi_env env, const char *what, int err);
/* Throws a JS TypeError with msg; returns NULL. */
napi_value p4_throw_type(napi_env env, const char *msg);
/* Adds a function property to obj. */
void p4_set_fn(napi_env env, napi_value obj, const char *name, napi_callback cb);
/* Sets obj[name] = number. */
void p4_set_num(napi_env env, napi_value obj, const char *name, double v);
/* Reads argument i as int64 / uint32 / bool; returns 0 on success, throws and returns -1 otherwise. */
int p4_arg_i64(napi_env env, napi_value v, int64_t *out, const char *name);
/* Reads an optional numeric property of obj into *out (left unchanged when absent). */
int p4_prop_i64(napi_env env, napi_value obj, const char *name, int64_t *out);

#define P4_ARGS(n)                                                                  \
  size_t argc = (n);                                                                \
  napi_value argv[(n) > 0 ? (n) : 1];                                               \
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;

#endif
