/* Spec §4.2: whether JSON text is in canonical form, in one pass over its bytes.
 *
 * crypto/canonical.py's decode() parses a document with json.loads, then must tell whether the
 * bytes are exactly the value's RFC 8785 encoding. Re-encoding the value and comparing costs
 * more than the parse itself (a ballot entry of 9 KB: about 110 us against 47 us to parse).
 * This pass answers the same question for the documents verivote writes, in a few
 * microseconds: ASCII text without a backslash (so no string holds an escape), which
 * json.loads has already accepted (so it is well-formed JSON, holds no float, no constant
 * NaN/Infinity, no integer outside the safe range).
 *
 * For such text the canonical encoding differs from the text exactly when the text has
 *   - white space between tokens (the encoding has none);
 *   - an object whose keys are not strictly increasing: out of order, or a key repeated (for
 *     ASCII keys, UTF-16 order is byte order);
 *   - the number -0 (the encoding writes 0; JSON has no other spelling of an integer that
 *     json.loads reads: no leading zero, no plus sign, and a fraction or exponent is a float);
 * and it must be refused outright when nested deeper than MAX_DEPTH (64).
 *
 * The pass says 1 only when it has checked all of these; it says 0 for any byte it does not
 * expect, and the caller then decides the slow way (re-encoding, which also names the fault).
 * tests/crypto/test_canonical.py holds it to the re-encoding on random documents and on
 * documents broken in each of these ways.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define MAX_DEPTH 64

typedef struct {
    int object;              /* 1 for an object, 0 for an array */
    int key_next;            /* in an object: the next string is a key */
    const unsigned char *key; /* the object's last key so far, or NULL */
    Py_ssize_t key_len;
} level_t;

/* 1 if ``data`` (n bytes) is in canonical form as described above, else 0. */
static int canonical_plain(const unsigned char *data, Py_ssize_t n) {
    level_t stack[MAX_DEPTH + 1];
    int depth = 0;
    stack[0].object = 0;
    stack[0].key_next = 0;
    stack[0].key = NULL;
    stack[0].key_len = 0;
    Py_ssize_t i = 0;
    while (i < n) {
        unsigned char c = data[i];
        level_t *top = &stack[depth];
        switch (c) {
        case '"': {
            const unsigned char *start = data + i + 1;
            Py_ssize_t j = i + 1;
            while (j < n && data[j] != '"') {
                if (data[j] < 0x20 || data[j] > 0x7f || data[j] == '\\') return 0;
                j++;
            }
            if (j == n) return 0;
            Py_ssize_t len = j - (i + 1);
            if (top->object && top->key_next) {
                if (top->key != NULL) {
                    Py_ssize_t common = len < top->key_len ? len : top->key_len;
                    int order = memcmp(top->key, start, (size_t)common);
                    if (order > 0 || (order == 0 && len <= top->key_len)) return 0;
                }
                top->key = start;
                top->key_len = len;
                top->key_next = 0;
            }
            i = j + 1;
            continue;
        }
        case '{':
        case '[':
            if (depth == MAX_DEPTH) return 0;
            depth++;
            stack[depth].object = (c == '{');
            stack[depth].key_next = (c == '{');
            stack[depth].key = NULL;
            stack[depth].key_len = 0;
            break;
        case '}':
        case ']':
            if (depth == 0 || top->object != (c == '}')) return 0;
            depth--;
            break;
        case ',':
            if (top->object) top->key_next = 1;
            break;
        case '-':
            if (i + 1 >= n || data[i + 1] < '1' || data[i + 1] > '9') return 0;
            break;
        case ':':
        case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9':
        /* the letters of true, false and null */
        case 'a': case 'e': case 'f': case 'l': case 'n': case 'r': case 's': case 't': case 'u':
            break;
        default: /* white space, and anything json.loads would not have let through here */
            return 0;
        }
        i++;
    }
    return depth == 0;
}

/* plain(data) -> bool */
static PyObject *canonical_plain_py(PyObject *self, PyObject *args) {
    Py_buffer in;
    if (!PyArg_ParseTuple(args, "y*", &in)) return NULL;
    int ok = canonical_plain((const unsigned char *)in.buf, in.len);
    PyBuffer_Release(&in);
    return PyBool_FromLong(ok);
}

/* filled(data, skeleton, holes) -> bool
 *
 * Spec §10.1, §11.8 (verifier/_ballot_template.py): whether ``data`` is the text ``skeleton``
 * with lower-case hex digits in each hole: of the same length, equal to it byte for byte
 * outside the holes, and [0-9a-f] inside. ``holes`` packs each hole's start and end offsets as
 * two 4-byte integers in native byte order (struct "=I"), holes in increasing order. What the
 * template's regular expression checks, without its interpreter's step per byte. */
static PyObject *canonical_filled_py(PyObject *self, PyObject *args) {
    Py_buffer data, skeleton, holes;
    if (!PyArg_ParseTuple(args, "y*y*y*", &data, &skeleton, &holes)) return NULL;
    int ok = data.len == skeleton.len;
    const unsigned char *d = data.buf, *t = skeleton.buf, *h = holes.buf;
    Py_ssize_t at = 0, count = holes.len / 8;
    if (holes.len % 8 != 0) {
        PyErr_SetString(PyExc_ValueError, "filled: holes are not pairs of 4-byte offsets");
        ok = -1;
    }
    for (Py_ssize_t k = 0; ok == 1 && k < count; k++) {
        uint32_t start, end;
        memcpy(&start, h + 8 * k, 4);
        memcpy(&end, h + 8 * k + 4, 4);
        if (start < at || end < start || (Py_ssize_t)end > skeleton.len) {
            PyErr_SetString(PyExc_ValueError, "filled: holes out of order or out of the text");
            ok = -1;
            break;
        }
        if (memcmp(d + at, t + at, start - at) != 0) ok = 0;
        /* Without branches, so that the compiler can check many bytes at once. */
        unsigned char bad = 0;
        for (Py_ssize_t i = start; i < (Py_ssize_t)end; i++) {
            unsigned char digit = (unsigned char)(d[i] - '0'), letter = (unsigned char)(d[i] - 'a');
            bad |= (unsigned char)(digit > 9) & (unsigned char)(letter > 5);
        }
        if (bad) ok = 0;
        at = end;
    }
    if (ok == 1 && memcmp(d + at, t + at, skeleton.len - at) != 0) ok = 0;
    PyBuffer_Release(&data);
    PyBuffer_Release(&skeleton);
    PyBuffer_Release(&holes);
    if (ok < 0) return NULL;
    return PyBool_FromLong(ok);
}

static PyMethodDef methods[] = {
    {"plain", canonical_plain_py, METH_VARARGS,
     "Whether ASCII JSON text, without a backslash, that json.loads accepted is canonical "
     "(spec §4.2); False also for anything else."},
    {"filled", canonical_filled_py, METH_VARARGS,
     "Whether data is the skeleton with lower-case hex in each hole (packed native 4-byte "
     "start/end pairs, in order)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "crypto._canonical", NULL, -1, methods,
};

PyMODINIT_FUNC PyInit__canonical(void) { return PyModule_Create(&module); }
