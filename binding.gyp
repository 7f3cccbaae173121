{
  "targets": [
    {
      "target_name": "p4tee_native",
      "sources": ["native/addon.c", "native/shm.c", "native/afpacket.c", "native/afxdp.c", "native/futex.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-std=gnu11"],
      "cflags_c": ["-std=gnu11"],
      "libraries": ["-lrt"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"]
    }
  ]
}
