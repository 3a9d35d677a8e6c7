/* The library built when nvcc is absent (or -DDGM4J_FORCE_STUB=ON): same name, same C ABI, every call
 * returns DGM4J_ERR_NO_CUDA, so Java binds one library and reports a precise reason in both builds. */
#include "dgm4j/dgm4j.h"
#include "dgm4j/elementwise.h"
#include "dgm4j/random.h"
#include "dgm4j/reduce.h"
#include "dgm4j/movement.h"
#include "dgm4j/optim.h"
#include "dgm4j/linalg.h"
#include "dgm4j/flow.h"

#define NO_CUDA return DGM4J_ERR_NO_CUDA

int dgm4j_built_with_cuda(void) { return 0; }

/* DGM4J_STUB_WHY comes from CMake: "nvcc not found at build time" or "DGM4J_FORCE_STUB=ON at build time". */
#ifndef DGM4J_STUB_WHY
#define DGM4J_STUB_WHY "nvcc not found at build time"
#endif
const char* dgm4j_last_error(void) { return "dgm4j was built without CUDA (" DGM4J_STUB_WHY ")"; }

dgm4j_status dgm4j_device_count(int* count, int* cuda_error) {
    if (count) *count = 0; /* callers that ignore the status still see no devices */
    if (cuda_error) *cuda_error = 0;
    NO_CUDA;
}
dgm4j_status dgm4j_device_name(int dev, char* buf, int64_t len) { (void) dev; (void) buf; (void) len; NO_CUDA; }
dgm4j_status dgm4j_device_memory(int dev, int64_t* f, int64_t* t) { (void) dev; (void) f; (void) t; NO_CUDA; }
dgm4j_status dgm4j_runtime_version(int* v) { (void) v; NO_CUDA; }
dgm4j_status dgm4j_driver_version(int* v) { (void) v; NO_CUDA; }
dgm4j_status dgm4j_set_device(int dev) { (void) dev; NO_CUDA; }
dgm4j_status dgm4j_malloc(void** p, int64_t n) { (void) p; (void) n; NO_CUDA; }
dgm4j_status dgm4j_free(void* p) { (void) p; NO_CUDA; }
dgm4j_status dgm4j_memcpy_h2d(void* d, const void* s, int64_t n, dgm4j_stream st) { (void) d; (void) s; (void) n; (void) st; NO_CUDA; }
dgm4j_status dgm4j_memcpy_d2h(void* d, const void* s, int64_t n, dgm4j_stream st) { (void) d; (void) s; (void) n; (void) st; NO_CUDA; }
dgm4j_status dgm4j_memcpy_d2d(void* d, const void* s, int64_t n, dgm4j_stream st) { (void) d; (void) s; (void) n; (void) st; NO_CUDA; }
dgm4j_status dgm4j_memset(void* d, int v, int64_t n, dgm4j_stream st) { (void) d; (void) v; (void) n; (void) st; NO_CUDA; }
dgm4j_status dgm4j_stream_create(dgm4j_stream* s) { (void) s; NO_CUDA; }
dgm4j_status dgm4j_stream_destroy(dgm4j_stream s) { (void) s; NO_CUDA; }
dgm4j_status dgm4j_stream_synchronize(dgm4j_stream s) { (void) s; NO_CUDA; }

/* Kernels (elementwise.h, random.h): arguments unused, every call NO_CUDA. */
#define U(x) (void) (x)
dgm4j_status dgm4j_fill(int t, void* o, int64_t n, double v, dgm4j_stream s) { U(t); U(o); U(n); U(v); U(s); NO_CUDA; }
dgm4j_status dgm4j_copy(int xt, const void* x, int ot, void* o, int64_t n, dgm4j_stream s) { U(xt); U(x); U(ot); U(o); U(n); U(s); NO_CUDA; }
dgm4j_status dgm4j_unary(int op, double p, int t, const void* x, void* o, int64_t n, dgm4j_stream s) { U(op); U(p); U(t); U(x); U(o); U(n); U(s); NO_CUDA; }
dgm4j_status dgm4j_unary_backward(int op, double p, int t, const void* x, const void* y, const void* gy, void* gx, int64_t n,
                                  dgm4j_stream s) { U(op); U(p); U(t); U(x); U(y); U(gy); U(gx); U(n); U(s); NO_CUDA; }
dgm4j_status dgm4j_binary(int op, int t, const void* a, const int64_t* sa, const void* b, const int64_t* sb, void* o,
                          const int64_t* d, int r, dgm4j_stream s) { U(op); U(t); U(a); U(sa); U(b); U(sb); U(o); U(d); U(r); U(s); NO_CUDA; }
dgm4j_status dgm4j_expand(int t, const void* x, const int64_t* sx, void* o, const int64_t* d, int r, dgm4j_stream s) {
    U(t); U(x); U(sx); U(o); U(d); U(r); U(s); NO_CUDA;
}
dgm4j_status dgm4j_uniform(uint64_t k, uint64_t c, int t, void* o, int64_t n, dgm4j_stream s) { U(k); U(c); U(t); U(o); U(n); U(s); NO_CUDA; }
dgm4j_status dgm4j_normal(uint64_t k, uint64_t c, int t, void* o, int64_t n, dgm4j_stream s) { U(k); U(c); U(t); U(o); U(n); U(s); NO_CUDA; }
dgm4j_status dgm4j_bernoulli(uint64_t k, uint64_t c, int t, const void* p, const int64_t* sp, void* o, const int64_t* d, int r,
                             dgm4j_stream s) { U(k); U(c); U(t); U(p); U(sp); U(o); U(d); U(r); U(s); NO_CUDA; }

/* Matmul and convolution (linalg.h). */
dgm4j_status dgm4j_matmul(int t, const void* a, int ta, const void* b, int tb, void* o, int64_t bt, int64_t m, int64_t n,
                          int64_t k, dgm4j_stream s) { U(t); U(a); U(ta); U(b); U(tb); U(o); U(bt); U(m); U(n); U(k); U(s); NO_CUDA; }
dgm4j_status dgm4j_conv2d(int t, const void* x, const void* w, const void* b, void* y, const int64_t* xd, const int64_t* wd,
                          const int* c, dgm4j_stream s) { U(t); U(x); U(w); U(b); U(y); U(xd); U(wd); U(c); U(s); NO_CUDA; }
dgm4j_status dgm4j_conv2d_backward_data(int t, const void* gy, const void* w, void* gx, const int64_t* xd, const int64_t* wd,
                                        const int* c, dgm4j_stream s) { U(t); U(gy); U(w); U(gx); U(xd); U(wd); U(c); U(s); NO_CUDA; }
dgm4j_status dgm4j_conv2d_backward_weights(int t, const void* x, const void* gy, void* gw, void* gb, const int64_t* xd,
                                           const int64_t* wd, const int* c, dgm4j_stream s) {
    U(t); U(x); U(gy); U(gw); U(gb); U(xd); U(wd); U(c); U(s); NO_CUDA;
}

/* Reductions, data movement, optimizer updates (reduce.h, movement.h, optim.h). */
dgm4j_status dgm4j_reduce(int op, int t, const void* x, const int64_t* d, int r, const int* a, int na, void* o,
                          dgm4j_stream s) { U(op); U(t); U(x); U(d); U(r); U(a); U(na); U(o); U(s); NO_CUDA; }
dgm4j_status dgm4j_permute(int t, const void* x, const int64_t* d, int r, const int* p, void* o, dgm4j_stream s) {
    U(t); U(x); U(d); U(r); U(p); U(o); U(s); NO_CUDA;
}
dgm4j_status dgm4j_concat(int t, int c, const void* const* xs, const int64_t* l, int64_t ou, int64_t in, void* o,
                          dgm4j_stream s) { U(t); U(c); U(xs); U(l); U(ou); U(in); U(o); U(s); NO_CUDA; }
dgm4j_status dgm4j_slice(int t, const void* x, int64_t ou, int64_t f, int64_t in, int64_t st, int64_t sp, int64_t c,
                         void* o, dgm4j_stream s) { U(t); U(x); U(ou); U(f); U(in); U(st); U(sp); U(c); U(o); U(s); NO_CUDA; }
dgm4j_status dgm4j_slice_add(int t, const void* x, int64_t ou, int64_t f, int64_t in, int64_t st, int64_t sp, int64_t c,
                             void* o, dgm4j_stream s) { U(t); U(x); U(ou); U(f); U(in); U(st); U(sp); U(c); U(o); U(s); NO_CUDA; }
dgm4j_status dgm4j_sgd_update(int t, void* p, const void* g, void* b, int64_t n, double lr, double m, double d, double wd,
                              int ne, int f, dgm4j_stream s) {
    U(t); U(p); U(g); U(b); U(n); U(lr); U(m); U(d); U(wd); U(ne); U(f); U(s); NO_CUDA;
}
dgm4j_status dgm4j_adam_update(int t, void* p, const void* g, void* m, void* v, int64_t n, double b1, double b2, double e,
                               double ss, double c2, double dc, double l2, int am, dgm4j_stream s) {
    U(t); U(p); U(g); U(m); U(v); U(n); U(b1); U(b2); U(e); U(ss); U(c2); U(dc); U(l2); U(am); U(s); NO_CUDA;
}

/* Normalizing flows (flow.h). */
dgm4j_status dgm4j_affine_coupling(int t, int inv, const void* in, const void* r, const void* sh, void* o, double* ld,
                                   int64_t b, int64_t n, double* w, dgm4j_stream s) {
    U(t); U(inv); U(in); U(r); U(sh); U(o); U(ld); U(b); U(n); U(w); U(s); NO_CUDA;
}
dgm4j_status dgm4j_affine_coupling_backward(int t, const void* x, const void* r, const void* sh, const void* dy,
                                            const double* dl, void* dx, void* dr, int64_t b, int64_t n, dgm4j_stream s) {
    U(t); U(x); U(r); U(sh); U(dy); U(dl); U(dx); U(dr); U(b); U(n); U(s); NO_CUDA;
}
dgm4j_status dgm4j_actnorm(int t, int inv, const void* in, const void* ls, const void* bi, void* o, double* ld, int64_t b,
                           int64_t c, int64_t sp, dgm4j_stream s) {
    U(t); U(inv); U(in); U(ls); U(bi); U(o); U(ld); U(b); U(c); U(sp); U(s); NO_CUDA;
}
dgm4j_status dgm4j_actnorm_backward(int t, const void* x, const void* ls, const void* bi, const void* dy, const double* dl,
                                    void* dx, void* dls, void* db, int64_t b, int64_t c, int64_t sp, double* w,
                                    dgm4j_stream s) {
    U(t); U(x); U(ls); U(bi); U(dy); U(dl); U(dx); U(dls); U(db); U(b); U(c); U(sp); U(w); U(s); NO_CUDA;
}
dgm4j_status dgm4j_actnorm_stats(int t, const void* x, void* m, void* sd, int64_t b, int64_t c, int64_t sp, dgm4j_stream s) {
    U(t); U(x); U(m); U(sd); U(b); U(c); U(sp); U(s); NO_CUDA;
}
dgm4j_status dgm4j_lu_logabsdet(int t, const void* w, int64_t c, double* wk, double* ld, dgm4j_stream s) {
    U(t); U(w); U(c); U(wk); U(ld); U(s); NO_CUDA;
}
dgm4j_status dgm4j_lu_inverse(int t, const void* w, int64_t c, double* wk, void* o, dgm4j_stream s) {
    U(t); U(w); U(c); U(wk); U(o); U(s); NO_CUDA;
}
dgm4j_status dgm4j_squeeze2d(int t, const void* x, void* o, int64_t b, int64_t c, int64_t h, int64_t w, dgm4j_stream s) {
    U(t); U(x); U(o); U(b); U(c); U(h); U(w); U(s); NO_CUDA;
}
dgm4j_status dgm4j_unsqueeze2d(int t, const void* x, void* o, int64_t b, int64_t c, int64_t h, int64_t w, dgm4j_stream s) {
    U(t); U(x); U(o); U(b); U(c); U(h); U(w); U(s); NO_CUDA;
}
