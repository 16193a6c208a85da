{
  "targets": [
    {
      "target_name": "cadenza_decoders",
      "sources": ["src/decoders.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-std=c11"],
      "cflags_c": ["-std=c11"],
      "include_dirs": ["<!@(pkg-config --cflags-only-I libmpg123 vorbis ogg flac faad2 | sed 's/-I//g')"],
      "libraries": ["<!@(pkg-config --libs libmpg123 vorbis ogg flac faad2)"],
      "defines": ["_POSIX_C_SOURCE=200809L", "_FILE_OFFSET_BITS=64"]
    }
  ]
}
