{
  "targets": [
    {
      "target_name": "rti_native_summariser",
      "sources": [
        "src/native/binding.c",
        "src/native/bytes.c",
        "src/native/crc32.c",
        "src/native/hash64.c",
        "src/native/hashset64.c",
        "src/native/jslog.c",
        "src/native/rollup.c",
        "src/native/secmap.c",
        "src/native/sketches.c",
        "src/native/summarise.c"
      ],
      "cflags": ["-O3", "-std=c11", "-ffp-contract=off", "-fno-fast-math", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-O3", "-std=c11", "-ffp-contract=off"]
      }
    }
  ]
}
