{
  "targets": [
    {
      "target_name": "udp_batch",
      "conditions": [
        ["OS=='linux'", {
          "sources": ["native/udp-batch.c"],
          "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
        }, {
          "type": "none"
        }]
      ]
    }
  ]
}
