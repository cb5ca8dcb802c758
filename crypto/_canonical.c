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

static PyMethodDef methods[] = {
    {"plain", canonical_plain_py, METH_VARARGS,
     "Whether ASCII JSON text, without a backslash, that json.loads accepted is canonical "
     "(spec §4.2); False also for anything else."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "crypto._canonical", NULL, -1, methods,
};

PyMODINIT_FUNC PyInit__canonical(void) { return PyModule_Create(&module); }
