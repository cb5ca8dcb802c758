/* Spec §2.5 and §6.7: the hot loops of variable-time multi-exponentiation, in C.
 *
 * This module does NO field or curve arithmetic of its own: every point operation is a call to
 * libsecp256k1's PUBLIC API (secp256k1_ec_pubkey_parse, _combine and _negate), reached
 * through function pointers that crypto/multiexp.py takes from coincurve's cffi bindings (the
 * same library and context crypto/group.py uses) and hands to init(). What C replaces is the
 * Python around those calls: decoding many points in one call, and Pippenger's bucket method
 * (digit extraction, bucketing, the calls per bucket), which crypto/_pippenger.py also has in
 * pure Python (with unsigned windows; this one's are signed): both compute the same sums with
 * the same library's additions, so the results are the same points.
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
typedef int (*negate_fn)(const void *ctx, pubkey_t *point);

static const void *g_ctx = NULL;
static parse_fn g_parse = NULL;
static combine_fn g_combine = NULL;
static negate_fn g_negate = NULL;

static PyObject *native_init(PyObject *self, PyObject *args) {
    unsigned long long ctx, parse, combine, negate;
    if (!PyArg_ParseTuple(args, "KKKK", &ctx, &parse, &combine, &negate)) return NULL;
    if (!ctx || !parse || !combine || !negate) {
        PyErr_SetString(PyExc_ValueError, "null libsecp256k1 pointer");
        return NULL;
    }
    g_ctx = (const void *)(uintptr_t)ctx;
    g_parse = (parse_fn)(uintptr_t)parse;
    g_combine = (combine_fn)(uintptr_t)combine;
    g_negate = (negate_fn)(uintptr_t)negate;
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

/* The c-bit digit of a 32-byte little-endian exponent at bit ``offset`` (0 past bit 255). */
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

/* One Horner step: *acc <- 2·(*acc) + the sum of sums[i] for the i in 1 .. last with bit j set
 * and present[i] (one combine call). Returns whether *acc is a point (0: the identity). */
static int horner_step(pubkey_t *acc, int have_acc, const pubkey_t *sums,
                       const unsigned char *present, size_t last, unsigned j,
                       const pubkey_t **parts) {
    size_t m = 0;
    for (size_t i = (size_t)1 << j; i <= last; i++)
        if ((i >> j & 1) && present[i]) parts[m++] = &sums[i];
    if (have_acc) {
        parts[m++] = acc;
        parts[m++] = acc;
    }
    pubkey_t next;
    int have = sum_into(&next, parts, m);
    if (have) *acc = next;
    return have;
}

/* pippenger(points, exponents, c) -> 64-byte point or None (the identity).
 *
 * The sum of k_i·B_i by Pippenger's bucket method with c-bit SIGNED windows (crypto/_pippenger.py
 * has the unsigned method in Python; the sums are the same points):
 *
 * 1. Each exponent is recoded into digits d_(i,w) in (-2^(c-1), 2^(c-1)], window w weighing
 *    2^(c·w): a raw digit above 2^(c-1) becomes d - 2^c and carries 1 into the next window, so
 *    ceil((bits + 1) / c) windows hold any exponent of ``bits`` bits.
 * 2. Per window (most significant first), base i goes into bucket |d_(i,w)|, as B_i or as -B_i
 *    (secp256k1_ec_pubkey_negate, once per base); each bucket m in 1 .. M = 2^(c-1) is summed by
 *    one combine call into S_m.
 * 3. The window's value sum_m m·S_m is split at b = floor(c / 2) bits: with m = 2^b·h + l,
 *    it is 2^b·sum_h h·U_h + sum_l l·V_l, where U_h sums the S_m of high part h and V_l those of
 *    low part l (each S_m is added twice in all, against about c/2 times taken bit by bit).
 * 4. Horner's rule folds it into the accumulator, one combine call per bit, high part first:
 *    acc <- 2·acc + (sum of the U_h with bit j of h set), then the same with the V_l; c calls
 *    double the accumulator c times, as the window's weight needs.
 *
 * Only combine calls add points (libsecp256k1's addition doubles correctly and handles sums
 * passing through the identity); a combine call ends in one field inversion, which is why the
 * buckets' sums are grouped into few calls. */
static PyObject *native_pippenger(PyObject *self, PyObject *args) {
    Py_buffer pts, exps;
    unsigned c;
    if (!PyArg_ParseTuple(args, "y*y*I", &pts, &exps, &c)) return NULL;
    PyObject *result = NULL;
    const pubkey_t **order = NULL, **parts = NULL;
    int16_t *digits = NULL; /* |digit| <= 2^(c-1) <= 2^14 */
    uint32_t *count = NULL, *start = NULL;
    pubkey_t *negated = NULL, *sums = NULL, *highs = NULL, *lows = NULL;
    unsigned char *present = NULL, *have_high = NULL, *have_low = NULL;
    if (!ready()) goto done;
    if (c < 1 || c > 15 || pts.len % 64 != 0 || exps.len % 32 != 0 || pts.len / 64 != exps.len / 32) {
        PyErr_SetString(PyExc_ValueError, "pippenger: bad arguments");
        goto done;
    }
    size_t n = (size_t)(pts.len / 64);
    const pubkey_t *bases = (const pubkey_t *)pts.buf;
    const unsigned char *ks = (const unsigned char *)exps.buf;
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
    if (top_bits == 0) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    unsigned windows = (top_bits + 1 + c - 1) / c;
    size_t top = (size_t)1 << (c - 1); /* bucket magnitudes 1 .. top */
    unsigned low_bits = c / 2, high_bits = c - low_bits;
    size_t high_top = top >> low_bits, low_top = ((size_t)1 << low_bits) - 1;
    size_t nn = n ? n : 1;
    order = PyMem_Malloc(nn * sizeof(*order));
    digits = PyMem_Malloc(nn * windows * sizeof(*digits));
    negated = PyMem_Malloc(nn * sizeof(*negated));
    count = PyMem_Calloc(top + 1, sizeof(*count));
    start = PyMem_Calloc(top + 2, sizeof(*start));
    sums = PyMem_Malloc((top + 1) * sizeof(*sums));
    present = PyMem_Calloc(top + 1, 1);
    highs = PyMem_Malloc((high_top + 1) * sizeof(*highs));
    have_high = PyMem_Calloc(high_top + 1, 1);
    lows = PyMem_Malloc((low_top + 1) * sizeof(*lows));
    have_low = PyMem_Calloc(low_top + 1, 1);
    parts = PyMem_Malloc((top + 2) * sizeof(*parts));
    if (!order || !digits || !negated || !count || !start || !sums || !present || !highs ||
        !have_high || !lows || !have_low || !parts) {
        PyErr_NoMemory();
        goto done;
    }
    /* Step 1: the signed digits, and each base's negation. */
    const int32_t full = (int32_t)1 << c, half = (int32_t)top;
    for (size_t i = 0; i < n; i++) {
        int32_t carry = 0;
        for (unsigned w = 0; w < windows; w++) {
            int32_t d = (int32_t)digit_at(ks + 32 * i, c * w, c) + carry;
            carry = d > half;
            digits[i * windows + w] = (int16_t)(carry ? d - full : d);
        }
        negated[i] = bases[i];
        if (!g_negate(g_ctx, &negated[i])) {
            PyErr_SetString(PyExc_ValueError, "pippenger: a base is not a point");
            goto done;
        }
    }
    pubkey_t acc;
    int have_acc = 0;
    for (unsigned w = windows; w-- > 0;) {
        /* Step 2: bucket the bases by |digit| (a counting sort of pointers), then sum each. */
        memset(count, 0, (top + 1) * sizeof(*count));
        for (size_t i = 0; i < n; i++) {
            int32_t d = digits[i * windows + w];
            count[d < 0 ? -d : d]++;
        }
        start[0] = 0;
        for (size_t m = 0; m <= top; m++) start[m + 1] = start[m] + count[m];
        for (size_t i = 0; i < n; i++) {
            int32_t d = digits[i * windows + w];
            order[start[d < 0 ? -d : d]++] = d < 0 ? &negated[i] : &bases[i];
        }
        /* start[m] is now the end of bucket m; its beginning is start[m] - count[m]. While
         * libsecp256k1 sums bucket m, the CPU fetches bucket m + 1's points: the bases span
         * megabytes, and each is read once per window in no useful order. */
        for (size_t m = 1; m <= top; m++) {
            if (m < top)
                for (size_t i = start[m + 1] - count[m + 1]; i < start[m + 1]; i++)
                    __builtin_prefetch(order[i]->data);
            present[m] = (unsigned char)sum_into(&sums[m], order + start[m] - count[m], count[m]);
        }
        /* Step 3: U_h (h >= 1) and V_l (l >= 1); a zero part weighs nothing. */
        for (size_t h = 1; h <= high_top; h++) {
            size_t k = 0;
            for (size_t l = 0; l <= low_top && (h << low_bits | l) <= top; l++)
                if (present[h << low_bits | l]) parts[k++] = &sums[h << low_bits | l];
            have_high[h] = (unsigned char)sum_into(&highs[h], parts, k);
        }
        for (size_t l = 1; l <= low_top; l++) {
            size_t k = 0;
            for (size_t h = 0; h <= high_top && (h << low_bits | l) <= top; h++)
                if (present[h << low_bits | l]) parts[k++] = &sums[h << low_bits | l];
            have_low[l] = (unsigned char)sum_into(&lows[l], parts, k);
        }
        /* Step 4: Horner's rule over the high part's bits, then the low part's. */
        for (unsigned j = high_bits; j-- > 0;)
            have_acc = horner_step(&acc, have_acc, highs, have_high, high_top, j, parts);
        for (unsigned j = low_bits; j-- > 0;)
            have_acc = horner_step(&acc, have_acc, lows, have_low, low_top, j, parts);
    }
    if (have_acc)
        result = PyBytes_FromStringAndSize((const char *)acc.data, 64);
    else
        result = Py_NewRef(Py_None);
done:
    PyMem_Free(order);
    PyMem_Free(digits);
    PyMem_Free(negated);
    PyMem_Free(count);
    PyMem_Free(start);
    PyMem_Free(sums);
    PyMem_Free(present);
    PyMem_Free(highs);
    PyMem_Free(have_high);
    PyMem_Free(lows);
    PyMem_Free(have_low);
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
     "init(ctx, parse, combine, negate): libsecp256k1's context and three public functions, as "
     "addresses."},
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
