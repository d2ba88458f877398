// A UDP socket read and written in batches (Linux recvmmsg/sendmmsg) for the DNS server: one call into
// JavaScript per batch of up to BATCH datagrams instead of one event and one send per datagram, which
// is where node:dgram spends most of a DNS server's time (docs/dns.md#udp, bench/README.md).
//
// JavaScript owns the memory: it passes an input slab (BATCH slots of SLOT bytes), an Int32Array of
// per-slot metadata (length, port, family, address words), an output slab and an Int32Array of
// per-slot [offset, length] of the answers. For each batch the addon fills the input side, calls the
// batch callback with the count, then sends every slot whose answer length is > 0 to the address that
// slot came from.
#define NAPI_VERSION 8
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define BATCH 64
#define SLOT 4096
#define META 8   /* int32 per slot: length, port, family (4|6), address words 0..3 */
#define ROUNDS 8 /* batches per readiness event before yielding to the event loop */

typedef struct {
  int fd;
  int closing;
  uv_poll_t poll;
  napi_env env;
  napi_ref self; /* the JS handle object (keeps the slabs below alive through its properties) */
  napi_ref onbatch;
  napi_async_context async;
  uint8_t *in;
  int32_t *meta;
  uint8_t *out;
  size_t out_len;
  int32_t *outmeta;
  struct mmsghdr rmsgs[BATCH];
  struct iovec riov[BATCH];
  struct sockaddr_storage addrs[BATCH];
  struct mmsghdr smsgs[BATCH];
  struct iovec siov[BATCH];
} udp_t;

#define CHECK(env, call)                                   \
  do {                                                     \
    if ((call) != napi_ok) {                               \
      napi_throw_error((env), NULL, "napi call failed: " #call); \
      return NULL;                                         \
    }                                                      \
  } while (0)

static napi_value throw_errno(napi_env env, int err, const char *what) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_value code, message, error;
  const char *name = err == EADDRINUSE ? "EADDRINUSE" : err == EACCES ? "EACCES" : err == EADDRNOTAVAIL ? "EADDRNOTAVAIL" : "EIO";
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_throw(env, error);
  return NULL;
}

/* Fills `ss` from a numeric address string and port; returns its length, 0 when not an address. */
static socklen_t to_sockaddr(const char *host, int port, struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    return sizeof *v4;
  }
  if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    return sizeof *v6;
  }
  return 0;
}

/* Writes where slot i came from into its metadata; IPv4-mapped IPv6 is reported as IPv4. */
static void describe_source(int32_t *m, const struct sockaddr_storage *ss) {
  if (ss->ss_family == AF_INET) {
    const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
    m[1] = ntohs(a->sin_port);
    m[2] = 4;
    memcpy(&m[3], &a->sin_addr, 4);
    return;
  }
  const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
  m[1] = ntohs(a->sin6_port);
  if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
    m[2] = 4;
    memcpy(&m[3], &a->sin6_addr.s6_addr[12], 4);
  } else {
    m[2] = 6;
    memcpy(&m[3], &a->sin6_addr, 16);
  }
}

/* Sends the answers JavaScript wrote for the first n slots; a message the kernel refuses is skipped. */
static void send_answers(udp_t *u, int n) {
  int k = 0;
  for (int i = 0; i < n; i++) {
    int32_t off = u->outmeta[2 * i], len = u->outmeta[2 * i + 1];
    if (len <= 0 || off < 0 || (size_t)off + (size_t)len > u->out_len) continue;
    u->siov[k].iov_base = u->out + off;
    u->siov[k].iov_len = (size_t)len;
    memset(&u->smsgs[k].msg_hdr, 0, sizeof u->smsgs[k].msg_hdr);
    u->smsgs[k].msg_hdr.msg_iov = &u->siov[k];
    u->smsgs[k].msg_hdr.msg_iovlen = 1;
    u->smsgs[k].msg_hdr.msg_name = &u->addrs[i];
    u->smsgs[k].msg_hdr.msg_namelen = u->rmsgs[i].msg_hdr.msg_namelen;
    k++;
  }
  int done = 0;
  while (done < k) {
    int r = sendmmsg(u->fd, &u->smsgs[done], (unsigned)(k - done), 0);
    if (r > 0) done += r;
    else if (r < 0 && errno == EINTR) continue;
    else done++; /* this destination was refused (e.g. port 0): drop its answer, go on */
  }
}

static int receive(udp_t *u) {
  for (int i = 0; i < BATCH; i++) {
    u->riov[i].iov_base = u->in + (size_t)i * SLOT;
    u->riov[i].iov_len = SLOT;
    memset(&u->rmsgs[i].msg_hdr, 0, sizeof u->rmsgs[i].msg_hdr);
    u->rmsgs[i].msg_hdr.msg_iov = &u->riov[i];
    u->rmsgs[i].msg_hdr.msg_iovlen = 1;
    u->rmsgs[i].msg_hdr.msg_name = &u->addrs[i];
    u->rmsgs[i].msg_hdr.msg_namelen = sizeof u->addrs[i];
  }
  int n;
  do n = recvmmsg(u->fd, u->rmsgs, BATCH, MSG_DONTWAIT, NULL);
  while (n < 0 && errno == EINTR);
  for (int i = 0; i < n; i++) {
    int32_t *m = &u->meta[i * META];
    /* A datagram longer than a slot is not a query we can read: JavaScript skips length -1. */
    m[0] = (u->rmsgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? -1 : (int32_t)u->rmsgs[i].msg_len;
    describe_source(m, &u->addrs[i]);
    u->outmeta[2 * i] = 0;
    u->outmeta[2 * i + 1] = 0;
  }
  return n;
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  udp_t *u = handle->data;
  (void)events;
  if (status < 0 || u->closing) return;
  napi_env env = u->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value self, fn;
  napi_get_reference_value(env, u->self, &self);
  napi_get_reference_value(env, u->onbatch, &fn);
  for (int round = 0; round < ROUNDS && !u->closing; round++) {
    int n = receive(u);
    if (n <= 0) break;
    napi_value count, result;
    napi_create_int32(env, n, &count);
    /* make_callback, not call_function: promises and nextTicks queued by the batch run after it. */
    napi_status s = napi_make_callback(env, u->async, self, fn, 1, &count, &result);
    if (s == napi_pending_exception) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err);
      break;
    }
    if (u->closing) break;
    send_answers(u, n);
    if (n < BATCH) break;
  }
  napi_close_handle_scope(env, scope);
}

static void *data_of(napi_env env, napi_value v, size_t *len) {
  bool is;
  void *p = NULL;
  if (napi_is_buffer(env, v, &is) == napi_ok && is) {
    napi_get_buffer_info(env, v, &p, len);
    return p;
  }
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type t;
    size_t n, off;
    napi_value ab;
    napi_get_typedarray_info(env, v, &t, &n, &p, &ab, &off);
    *len = n * (t == napi_int32_array ? 4 : 1);
    return p;
  }
  return NULL;
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env; (void)hint;
  udp_t *u = data;
  /* Normally reached after close. At process exit with the socket still open, libuv may still hold
     u->poll: leave it to the exiting process rather than free memory libuv points at. */
  if (!u->closing) return;
  free(u);
}

/* open(handle, host, port, input, meta, output, outmeta, onBatch, bufferBytes) → bound port */
static napi_value udp_open(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 9) { napi_throw_type_error(env, NULL, "open: 9 arguments expected"); return NULL; }
  char host[64];
  size_t hostlen;
  int32_t port, bufbytes;
  CHECK(env, napi_get_value_string_utf8(env, argv[1], host, sizeof host, &hostlen));
  CHECK(env, napi_get_value_int32(env, argv[2], &port));
  CHECK(env, napi_get_value_int32(env, argv[8], &bufbytes));
  size_t in_len = 0, meta_len = 0, out_len = 0, outmeta_len = 0;
  uint8_t *in = data_of(env, argv[3], &in_len);
  int32_t *meta = data_of(env, argv[4], &meta_len);
  uint8_t *out = data_of(env, argv[5], &out_len);
  int32_t *outmeta = data_of(env, argv[6], &outmeta_len);
  if (!in || in_len < (size_t)BATCH * SLOT || !meta || meta_len < (size_t)BATCH * META * 4 || !out ||
      !outmeta || outmeta_len < (size_t)BATCH * 2 * 4) {
    napi_throw_range_error(env, NULL, "open: slabs too small");
    return NULL;
  }
  struct sockaddr_storage ss;
  socklen_t sslen = to_sockaddr(host, port, &ss);
  if (!sslen) { napi_throw_type_error(env, NULL, "open: host must be a numeric address"); return NULL; }

  int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, errno, "socket");
  if (ss.ss_family == AF_INET6) {
    int off = 0; /* '::' takes IPv4 too, as node:dgram does */
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  }
  if (bufbytes > 0) {
    /* Bursts should queue in the kernel, not be dropped. Without CAP_NET_ADMIN the size is capped by
       net.core.rmem_max / wmem_max (about 208 KB, some 250 datagrams, by default). */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufbytes, sizeof bufbytes) < 0)
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufbytes, sizeof bufbytes);
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bufbytes, sizeof bufbytes) < 0)
      setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufbytes, sizeof bufbytes);
  }
  if (bind(fd, (struct sockaddr *)&ss, sslen) < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, e, "bind");
  }
  struct sockaddr_storage bound;
  socklen_t blen = sizeof bound;
  getsockname(fd, (struct sockaddr *)&bound, &blen);
  int bound_port = ntohs(bound.ss_family == AF_INET ? ((struct sockaddr_in *)&bound)->sin_port : ((struct sockaddr_in6 *)&bound)->sin6_port);

  udp_t *u = calloc(1, sizeof *u);
  if (!u) { close(fd); napi_throw_error(env, NULL, "out of memory"); return NULL; }
  u->fd = fd;
  u->env = env;
  u->in = in; u->meta = meta; u->out = out; u->out_len = out_len; u->outmeta = outmeta;
  uv_loop_t *loop;
  napi_value name;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init(loop, &u->poll, fd) != 0) {
    close(fd);
    free(u);
    napi_throw_error(env, NULL, "open: cannot poll the socket");
    return NULL;
  }
  u->poll.data = u;
  napi_create_string_utf8(env, "cairn:dns-udp", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, argv[0], name, &u->async);
  napi_wrap(env, argv[0], u, finalize, NULL, NULL);
  /* Strong references until close: the handle object holds the slabs, so they cannot move or go. */
  napi_create_reference(env, argv[0], 1, &u->self);
  napi_create_reference(env, argv[7], 1, &u->onbatch);
  uv_poll_start(&u->poll, UV_READABLE, on_readable);
  napi_value result;
  napi_create_int32(env, bound_port, &result);
  return result;
}

static udp_t *unwrap(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_unwrap(env, v, &p) != napi_ok) return NULL;
  return p;
}

/* send(handle, buffer, host, port): one answer that was not ready within its batch (forwarded). */
static napi_value udp_send(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  udp_t *u = unwrap(env, argv[0]);
  napi_value ok;
  napi_get_boolean(env, false, &ok);
  if (!u || u->closing) return ok;
  size_t len = 0;
  void *data = data_of(env, argv[1], &len);
  char host[64];
  size_t hostlen;
  int32_t port;
  CHECK(env, napi_get_value_string_utf8(env, argv[2], host, sizeof host, &hostlen));
  CHECK(env, napi_get_value_int32(env, argv[3], &port));
  struct sockaddr_storage ss;
  socklen_t sslen = to_sockaddr(host, port, &ss);
  if (!data || !sslen) return ok;
  if (ss.ss_family == AF_INET) {
    /* The socket may be IPv6 (dual stack): map the address so the kernel accepts it. */
    struct sockaddr_storage local;
    socklen_t llen = sizeof local;
    getsockname(u->fd, (struct sockaddr *)&local, &llen);
    if (local.ss_family == AF_INET6) {
      struct sockaddr_in v4 = *(struct sockaddr_in *)&ss;
      struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
      memset(v6, 0, sizeof *v6);
      v6->sin6_family = AF_INET6;
      v6->sin6_port = v4.sin_port;
      v6->sin6_addr.s6_addr[10] = 0xff;
      v6->sin6_addr.s6_addr[11] = 0xff;
      memcpy(&v6->sin6_addr.s6_addr[12], &v4.sin_addr, 4);
      sslen = sizeof *v6;
    }
  }
  ssize_t r = sendto(u->fd, data, len, 0, (struct sockaddr *)&ss, sslen);
  napi_get_boolean(env, r == (ssize_t)len, &ok);
  return ok;
}

static void on_closed(uv_handle_t *h) {
  udp_t *u = h->data;
  close(u->fd);
  u->fd = -1;
  napi_env env = u->env;
  napi_async_destroy(env, u->async);
  napi_delete_reference(env, u->onbatch);
  napi_delete_reference(env, u->self); /* the object may now be collected; finalize frees u */
}

/* close(handle): stops reading; the socket is closed once libuv lets go of it. */
static napi_value udp_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  udp_t *u = unwrap(env, argv[0]);
  if (u && !u->closing) {
    u->closing = 1;
    uv_poll_stop(&u->poll);
    uv_close((uv_handle_t *)&u->poll, on_closed);
  }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"open", NULL, udp_open, NULL, NULL, NULL, napi_default, NULL},
    {"send", NULL, udp_send, NULL, NULL, NULL, napi_default, NULL},
    {"close", NULL, udp_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 3, props);
  napi_value v;
  napi_create_int32(env, BATCH, &v); napi_set_named_property(env, exports, "BATCH", v);
  napi_create_int32(env, SLOT, &v); napi_set_named_property(env, exports, "SLOT", v);
  napi_create_int32(env, META, &v); napi_set_named_property(env, exports, "META", v);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
