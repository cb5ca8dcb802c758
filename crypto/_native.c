/* Spec §2.5 and §6.7: the hot loops of variable-time multi-exponentiation, in C.
 *
 * This module does NO field or curve arithmetic of its own: every point operation is a call to
 * libsecp256k1's PUBLIC API (secp256k1_ec_pubkey_parse, secp256k1_ec_pubkey_combine), reached
 * through function pointers that crypto/multiexp.py takes from coincurve's cffi bindings (the
 * same library and context crypto/group.py uses) and hands to init(). What C replaces is the
 * Python around those calls: decoding many points in one call, and Pippenger's bucket method
 * (digit extraction, bucketing, the calls per bucket), which crypto/multiexp.py also has in
 * pure Python; both compute the same sums with the same library calls, so the results are the
 * same points.
 *
 * Points travel as libsecp256k1's opaque 64-byte secp256k1_pubkey structures packed in bytes;
 * exponents as 32-byte little-endian integers packed in bytes.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct { unsigned char data[64]; } pubkey_t;

typedef int (*parse_fn)(const void *ctx, pubkey_t *out, const unsigned char *in, size_t len);
typedef int (*combine_fn)(const void *ctx, pubkey_t *out, const pubkey_t *const *ins, size_t n);

static const void *g_ctx = NULL;
static parse_fn g_parse = NULL;
static combine_fn g_combine = NULL;

static PyObject *native_init(PyObject *self, PyObject *args) {
    unsigned long long ctx, parse, combine;
    if (!PyArg_ParseTuple(args, "KKK", &ctx, &parse, &combine)) return NULL;
    if (!ctx || !parse || !combine) {
        PyErr_SetString(PyExc_ValueError, "null libsecp256k1 pointer");
        return NULL;
    }
    g_ctx = (const void *)(uintptr_t)ctx;
    g_parse = (parse_fn)(uintptr_t)parse;
    g_combine = (combine_fn)(uintptr_t)combine;
    Py_RETURN_NONE;
}

static int ready(void) {
    if (g_ctx == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "crypto._native: init() was not called");
        return 0;
    }
    return 1;
}

/* parse(encodings, flip) -> bytes of 64 * n, or an int: the index of the first encoding that
 * does not decode. ``encodings`` is n 33-byte compressed encodings whose first byte the caller
 * has checked to be 0x02 or 0x03; if ``flip`` each is decoded with that byte flipped (the
 * point's inverse, §6.7 step 1). */
static PyObject *native_parse(PyObject *self, PyObject *args) {
    Py_buffer in;
    int flip;
    if (!PyArg_ParseTuple(args, "y*p", &in, &flip)) return NULL;
    if (!ready() || in.len % 33 != 0) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "encodings: not 33-byte items");
        PyBuffer_Release(&in);
        return NULL;
    }
    Py_ssize_t n = in.len / 33;
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * 64);
    if (out == NULL) {
        PyBuffer_Release(&in);
        return NULL;
    }
    pubkey_t *points = (pubkey_t *)PyBytes_AS_STRING(out);
    const unsigned char *src = (const unsigned char *)in.buf;
    unsigned char enc[33];
    for (Py_ssize_t i = 0; i < n; i++) {
        memcpy(enc, src + 33 * i, 33);
        if (flip) enc[0] ^= 0x01; /* 0x02 <-> 0x03 */
        if (!g_parse(g_ctx, &points[i], enc, 33)) {
            PyBuffer_Release(&in);
            Py_DECREF(out);
            return PyLong_FromSsize_t(i);
        }
    }
    PyBuffer_Release(&in);
    return out;
}

/* The c-bit digit of a 32-byte little-endian exponent at bit ``offset``. */
static inline unsigned digit_at(const unsigned char *k, unsigned offset, unsigned c) {
    unsigned byte = offset >> 3, shift = offset & 7;
    uint32_t word = 0;
    for (unsigned b = 0; b < 3 && byte + b < 32; b++) word |= (uint32_t)k[byte + b] << (8 * b);
    return (word >> shift) & ((1u << c) - 1);
}

/* Sum of ptrs[0..n-1] into *out; 1 if the sum is a point, 0 if it is the identity (or n == 0). */
static int sum_into(pubkey_t *out, const pubkey_t *const *ptrs, size_t n) {
    if (n == 0) return 0;
    if (n == 1) {
        *out = *ptrs[0];
        return 1;
    }
    return g_combine(g_ctx, out, ptrs, n);
}

/* pippenger(points, exponents, c) -> 64-byte point or None (the identity).
 *
 * The sum of k_i·B_i by Pippenger's bucket method with c-bit windows, as _pippenger in
 * crypto/multiexp.py: per window (most significant first), base i goes into bucket d_(i,w);
 * each bucket is summed by one combine call into S_d; the window's sum_d d·S_d is taken bit
 * by bit as sum_j 2^j·T_j (T_j the sum of the S_d whose digit has bit j set), folded into the
 * accumulator by Horner's rule, one call per bit: acc <- acc + acc + T_j. */
static PyObject *native_pippenger(PyObject *self, PyObject *args) {
    Py_buffer pts, exps;
    unsigned c;
    if (!PyArg_ParseTuple(args, "y*y*I", &pts, &exps, &c)) return NULL;
    PyObject *result = NULL;
    const pubkey_t **order = NULL, **parts = NULL;
    uint32_t *digits = NULL, *count = NULL, *start = NULL;
    pubkey_t *sums = NULL;
    unsigned char *present = NULL;
    if (!ready()) goto done;
    if (c < 1 || c > 16 || pts.len % 64 != 0 || exps.len % 32 != 0 || pts.len / 64 != exps.len / 32) {
        PyErr_SetString(PyExc_ValueError, "pippenger: bad arguments");
        goto done;
    }
    size_t n = (size_t)(pts.len / 64);
    const pubkey_t *bases = (const pubkey_t *)pts.buf;
    const unsigned char *ks = (const unsigned char *)exps.buf;
    size_t buckets = (size_t)1 << c;
    /* The highest bit set in any exponent bounds the windows. */
    unsigned top_bits = 0;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *k = ks + 32 * i;
        for (int b = 31; b >= 0; b--) {
            if (k[b]) {
                unsigned bits = 8 * (unsigned)b + 32 - (unsigned)__builtin_clz((unsigned)k[b]);
                if (bits > top_bits) top_bits = bits;
                break;
            }
        }
    }
    order = PyMem_Malloc((n ? n : 1) * sizeof(*order));
    digits = PyMem_Malloc((n ? n : 1) * sizeof(*digits));
    count = PyMem_Calloc(buckets, sizeof(*count));
    start = PyMem_Calloc(buckets + 1, sizeof(*start));
    sums = PyMem_Malloc(buckets * sizeof(*sums));
    present = PyMem_Calloc(buckets, 1);
    parts = PyMem_Malloc((buckets + 2) * sizeof(*parts));
    if (!order || !digits || !count || !start || !sums || !present || !parts) {
        PyErr_NoMemory();
        goto done;
    }
    pubkey_t acc, next;
    int have_acc = 0;
    unsigned windows = (top_bits + c - 1) / c;
    for (unsigned w = windows; w-- > 0;) {
        /* Bucket the bases by digit (a counting sort of pointers). */
        memset(count, 0, buckets * sizeof(*count));
        for (size_t i = 0; i < n; i++) {
            digits[i] = digit_at(ks + 32 * i, c * w, c);
            count[digits[i]]++;
        }
        start[0] = 0;
        for (size_t d = 0; d < buckets; d++) start[d + 1] = start[d] + count[d];
        for (size_t i = 0; i < n; i++) order[start[digits[i]]++] = &bases[i];
        /* start[d] is now the end of bucket d; its beginning is start[d] - count[d]. While
         * libsecp256k1 sums bucket d, the CPU fetches bucket d + 1's points: the bases span
         * megabytes, and each is read once per window in no useful order. */
        for (size_t d = 1; d < buckets; d++) {
            if (d + 1 < buckets)
                for (size_t i = start[d + 1] - count[d + 1]; i < start[d + 1]; i++)
                    __builtin_prefetch(order[i]->data);
            present[d] = (unsigned char)sum_into(&sums[d], order + start[d] - count[d], count[d]);
        }
        for (unsigned j = c; j-- > 0;) {
            size_t m = 0;
            for (size_t d = 1; d < buckets; d++)
                if ((d >> j & 1) && present[d]) parts[m++] = &sums[d];
            if (have_acc) {
                parts[m++] = &acc;
                parts[m++] = &acc;
            }
            have_acc = sum_into(&next, parts, m);
            if (have_acc) acc = next;
        }
    }
    if (have_acc)
        result = PyBytes_FromStringAndSize((const char *)acc.data, 64);
    else
        result = Py_NewRef(Py_None);
done:
    PyMem_Free(order);
    PyMem_Free(digits);
    PyMem_Free(count);
    PyMem_Free(start);
    PyMem_Free(sums);
    PyMem_Free(present);
    PyMem_Free(parts);
    PyBuffer_Release(&pts);
    PyBuffer_Release(&exps);
    return result;
}

/* table(point, windows, digits) -> bytes: the fixed-base table of crypto.multiexp.FixedBase,
 * windows * digits packed points: entry i * digits + d - 1 is d * 2^(8 i) * point, for
 * d = 1 .. digits (digits = 255 for 8-bit windows), each by one combine call as in Python. */
static PyObject *native_table(PyObject *self, PyObject *args) {
    Py_buffer in;
    unsigned windows, digits;
    if (!PyArg_ParseTuple(args, "y*II", &in, &windows, &digits)) return NULL;
    if (!ready() || in.len != 64 || windows == 0 || digits == 0 || windows * digits > (1u << 20)) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "table: bad arguments");
        PyBuffer_Release(&in);
        return NULL;
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)windows * digits * 64);
    if (out == NULL) {
        PyBuffer_Release(&in);
        return NULL;
    }
    pubkey_t *table = (pubkey_t *)PyBytes_AS_STRING(out);
    pubkey_t base;
    memcpy(&base, in.buf, 64);
    PyBuffer_Release(&in);
    for (unsigned i = 0; i < windows; i++) {
        pubkey_t *row = table + (size_t)i * digits;
        row[0] = base;
        for (unsigned d = 1; d < digits; d++) {
            const pubkey_t *pair[2] = {&row[d - 1], &base};
            if (!g_combine(g_ctx, &row[d], pair, 2)) goto identity;
        }
        /* combine clears its output before reading its inputs: not in place. */
        const pubkey_t *pair[2] = {&row[digits - 1], &base};
        pubkey_t next;
        if (i + 1 < windows && !g_combine(g_ctx, &next, pair, 2)) goto identity;
        base = next;
    }
    return out;
identity:
    Py_DECREF(out);
    PyErr_SetString(PyExc_ValueError, "table: a multiple of the base is the identity");
    return NULL;
}

static PyMethodDef methods[] = {
    {"table", native_table, METH_VARARGS,
     "table(point, windows, digits) -> the packed fixed-base table of point."},
    {"init", native_init, METH_VARARGS,
     "init(ctx, parse, combine): libsecp256k1's context and two public functions, as addresses."},
    {"parse", native_parse, METH_VARARGS,
     "parse(encodings, flip) -> packed points, or the index of the first that does not decode."},
    {"pippenger", native_pippenger, METH_VARARGS,
     "pippenger(points, exponents, c) -> the packed sum of k_i·B_i, or None for the identity."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "crypto._native",
    "Spec §2.5 and §6.7: multi-exponentiation loops over libsecp256k1's public API.", -1, methods,
};

PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
