# gdb support for tapegrad: pretty-printers that show numbers (Tensor, Shape, TapeEntry, Tape, source_location,
# prob::Normal, prob::Bernoulli) and commands (tg-tape, tg-grad, tg-softmax, tg-break). docs/debugging.md shows
# how gdb loads this file (automatically from a safe path, or `source gdb/tapegrad.py`) and walks through an IWAE
# step with it. The printers read memory only: they never call into the program, so they work on a core file and
# cannot crash the program; anything that does not look like a valid object prints as <...> instead.
import math
import os
import re
import struct

import gdb
import gdb.printing

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the repository
VALUES = 6  # values shown per tensor (tg-values N changes it)
MAX_RANK = 16
MAX_NAME = 256

# ---- reading libstdc++ objects --------------------------------------------------------------------------------


def _ptr(shared):
    """The raw pointer held by a std::shared_ptr / std::weak_ptr, or None."""
    p = shared['_M_ptr']
    return None if int(p) == 0 else p


def _vector(v, limit=1 << 20):
    """The elements of a std::vector as gdb.Values (an invalid vector raises ValueError)."""
    start, finish = v['_M_impl']['_M_start'], v['_M_impl']['_M_finish']
    n = int(finish - start) if int(start) else 0
    if n < 0 or n > limit:
        raise ValueError('not a valid vector')
    return [(start + i).dereference() for i in range(n)]


def _dims(v, limit):
    """The values of a tg::Dims (tg::Shape: values_ inline, size_ of them), or of a std::vector of them."""
    v = _deref(v)
    if _strip(v.type).name != 'tg::Dims':
        return _vector(v, limit)
    n = int(v['size_'])
    if n < 0 or n > min(limit, v['values_'].type.range()[1] + 1):
        raise ValueError('not a valid Dims')
    return [v['values_'][i] for i in range(n)]


def _string(s):
    n = int(s['_M_string_length'])
    if n < 0 or n > MAX_NAME:
        raise ValueError('not a valid string')
    return s['_M_dataplus']['_M_p'].string('utf-8', 'backslashreplace', n) if n else ''


def _cstr(ptr, limit=4096):
    """A C string read from memory, at most `limit` bytes (undecodable bytes shown as \\xNN)."""
    if int(ptr) == 0:
        return '<null>'
    raw = b''
    addr = int(ptr)
    while len(raw) < limit:  # in chunks, so that a short string near the end of a mapping reads fine
        try:
            chunk = bytes(gdb.selected_inferior().read_memory(addr + len(raw), min(64, limit - len(raw))))
        except gdb.MemoryError:
            chunk = bytes(gdb.selected_inferior().read_memory(addr + len(raw), 1))  # the last bytes of a mapping
        raw += chunk
        if b'\0' in chunk:
            break
    return raw.split(b'\0', 1)[0].decode('utf-8', 'backslashreplace')


def _strip(t):
    """The type behind references, const and typedefs."""
    if t.code in (gdb.TYPE_CODE_REF, gdb.TYPE_CODE_RVALUE_REF):
        t = t.target()
    return t.unqualified().strip_typedefs()


def _deref(v):
    if v.type.code in (gdb.TYPE_CODE_REF, gdb.TYPE_CODE_RVALUE_REF):
        return v.referenced_value()
    if v.type.code == gdb.TYPE_CODE_PTR:
        return v.dereference()
    return v


# ---- tensors ------------------------------------------------------------------------------------------------------


def shape_str(dims):
    return '(' + ', '.join(str(d) for d in dims) + (',)' if len(dims) == 1 else ')')


def _fmt(x):
    if math.isnan(x):
        return 'nan'
    return '%.4g' % x if x != 0 else '0'


def live_generations():
    """The generations of every tape that exists (tape.cpp's registry): a recorded tensor with another is stale."""
    try:
        registry = gdb.parse_and_eval("'tg::detail::live_tapes()::registry'")
    except gdb.error:
        return set()
    if int(registry) == 0:
        return set()
    return {int(t.dereference()['generation_']['_M_i']) for t in _vector(registry.dereference()['tapes'], 1 << 12)}


class TensorView:
    """What the printers need from a TensorImpl, read from memory; raises ValueError or gdb.error if invalid."""

    def __init__(self, impl):
        self.impl = impl
        self.shape = [int(d) for d in _dims(impl['shape'], MAX_RANK)]
        self.numel = int(impl['numel'])
        n = 1
        for d in self.shape:
            n *= d
        if any(d < 0 for d in self.shape) or n != self.numel:
            raise ValueError('not a valid tensor (uninitialised?)')
        self.dtype = int(impl['dtype'])
        if self.dtype not in (0, 1):
            raise ValueError('not a valid dtype')
        self.name = _string(impl['name'])
        self.requires_grad = bool(impl['requires_grad'])
        self.entry = int(impl['entry'])

    def dtype_name(self):
        return 'float32' if self.dtype == 0 else 'float64'

    def values(self, count):
        count = min(count, self.numel)
        if count <= 0:
            return []
        addr = int(self.impl['data'])
        if addr == 0:
            raise ValueError('no values')
        size, code = (4, 'f') if self.dtype == 0 else (8, 'd')
        raw = gdb.selected_inferior().read_memory(addr, count * size)
        return list(struct.unpack('<%d%s' % (count, code), bytes(raw)))

    def stale(self):
        if self.entry < 0:
            return False
        return int(self.impl['generation']) not in live_generations()

    def grad(self):
        g = _ptr(self.impl['grad'])
        return None if g is None else TensorView(g.dereference())

    def values_str(self, count=None):
        count = VALUES if count is None else count
        vals = self.values(count)
        more = ', ...' if self.numel > len(vals) else ''
        return '[' + ', '.join(_fmt(v) for v in vals) + more + ']'

    def head(self):
        s = (("'%s' " % self.name) if self.name else '') + shape_str(self.shape) + ' ' + self.dtype_name()
        if self.requires_grad:
            s += ' requires_grad'
        if self.entry >= 0:
            s += ' #%d' % self.entry
        return s

    def summary(self, with_grad=True):
        s = self.head() + ' = ' + self.values_str()
        if self.stale():
            s += ' (stale: its tape was cleared)'
        if with_grad:
            g = self.grad()
            s += (', grad = ' + g.values_str()) if g is not None else ', no grad'
        return s


def tensor_impl(val):
    """The TensorImpl of a Tensor, a TensorImpl, or a pointer to either; None for an undefined Tensor."""
    val = _deref(val)
    t = _strip(val.type)
    if t.name == 'tg::Tensor':
        p = _ptr(val['impl_'])
        return None if p is None else p.dereference()
    if t.name == 'tg::TensorImpl':
        return val
    raise gdb.GdbError('not a tg::Tensor: ' + str(val.type))


def tensor_view(val):
    impl = tensor_impl(val)
    return None if impl is None else TensorView(impl)


def describe(val, with_grad=True):
    try:
        v = tensor_view(val)
        return '(undefined)' if v is None else v.summary(with_grad)
    except (ValueError, gdb.error, gdb.MemoryError) as e:
        return '<tensor: %s>' % e


class TensorPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        return 'Tensor ' + describe(self.val)


class ShapePrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        try:
            return shape_str([int(d) for d in _dims(self.val, MAX_RANK)])
        except (ValueError, gdb.error, gdb.MemoryError):
            return '<shape: not a valid vector>'


def where_str(loc):
    """"vae/iwae.cpp:17" for a std::source_location (paths relative to the repository, like tg::where_str)."""
    impl = loc['_M_impl']
    if int(impl) == 0:
        return '<unknown>:0'
    f = _cstr(impl['_M_file_name'])
    if f.startswith(ROOT + '/'):
        f = f[len(ROOT) + 1:]
    return '%s:%d' % (f, int(impl['_M_line']))


class SourceLocationPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        try:
            return where_str(self.val)
        except (gdb.error, gdb.MemoryError):
            return '<source_location: unreadable>'


def entry_str(e):
    try:
        out = TensorView(tensor_impl(e['out']))
        name = (" '%s'" % out.name) if out.name else ''
        return '#%d %s ->%s %s at %s' % (out.entry, _cstr(e['op'], 64), name, shape_str(out.shape),
                                         where_str(e['where']))
    except (ValueError, gdb.error, gdb.MemoryError) as err:
        return '<tape entry: %s>' % err


class TapeEntryPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        return entry_str(self.val)


def tape_entries(tape):
    return _vector(_deref(tape)['entries_'])


class TapePrinter:
    LAST = 5

    def __init__(self, val):
        self.val = val

    def to_string(self):
        try:
            n = len(tape_entries(self.val))
            return 'Tape with %d entries' % n + (', the last %d:' % min(n, self.LAST) if n else '')
        except (ValueError, gdb.error, gdb.MemoryError):
            return '<tape: unreadable>'

    def children(self):
        try:
            entries = tape_entries(self.val)
        except (ValueError, gdb.error, gdb.MemoryError):
            return
        for e in entries[-self.LAST:]:
            yield '', entry_str(e)

    def display_hint(self):
        return 'array'


class NormalPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        t = self.val['t_']
        return 'prob::Normal event_dims=%d' % int(t['event_dims_'])

    def children(self):
        t = self.val['t_']
        yield 'mu', describe(t['mu_'], with_grad=False)
        yield 'sigma', describe(t['sigma_'], with_grad=False)
        if _ptr(self.val['log_var_']['impl_']) is not None:
            yield 'log_var', describe(self.val['log_var_'], with_grad=False)


class BernoulliPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        return 'prob::Bernoulli event_dims=%d' % int(self.val['event_dims_'])

    def children(self):
        yield 'logits', describe(self.val['logits_'], with_grad=False)


def tensor_list(v):
    """The Tensors of a std::vector<Tensor> or a tg::TensorList (inline storage for a few, a vector beyond)."""
    v = _deref(v)
    if _strip(v.type).name == 'tg::TensorList':
        n = int(v['size_'])
        if n < 0 or n > 1 << 20:
            raise ValueError('not a valid TensorList')
        if n <= int(v['inline_capacity']):  # built in place in the bytes of inline_
            elems = v['inline_'].address.cast(gdb.lookup_type('tg::Tensor').pointer())
            return [(elems + i).dereference() for i in range(n)]
        return _vector(v['spill_'])
    return _vector(v)


class TensorListPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        try:
            return 'TensorList of %d' % len(tensor_list(self.val))
        except (ValueError, gdb.error, gdb.MemoryError):
            return '<TensorList: unreadable>'

    def children(self):
        try:
            items = tensor_list(self.val)
        except (ValueError, gdb.error, gdb.MemoryError):
            return
        for i, t in enumerate(items):
            yield '[%d]' % i, describe(t, with_grad=False)

    def display_hint(self):
        return 'array'


PRINTERS = {
    'tg::Tensor': TensorPrinter,
    'tg::TensorImpl': TensorPrinter,
    'tg::TapeEntry': TapeEntryPrinter,
    'tg::TensorList': TensorListPrinter,
    'tg::Tape': TapePrinter,
    'std::source_location': SourceLocationPrinter,
    'tg::prob::Normal': NormalPrinter,
    'tg::prob::Bernoulli': BernoulliPrinter,
}


def lookup(val):
    t = val.type
    if t.code in (gdb.TYPE_CODE_REF, gdb.TYPE_CODE_RVALUE_REF):
        t = t.target()
    t = t.unqualified()
    while t.code == gdb.TYPE_CODE_TYPEDEF:  # tg::Shape is a typedef of tg::Dims
        if t.name == 'tg::Shape':
            return ShapePrinter(val)
        t = t.target().unqualified()
    if t.name == 'tg::Dims':
        return ShapePrinter(val)
    printer = PRINTERS.get(t.name) if t.name else None
    return printer(val) if printer else None


# ---- commands -----------------------------------------------------------------------------------------------------


def current_tape():
    try:
        return gdb.parse_and_eval('tg::current_tape()')
    except gdb.error as e:
        raise gdb.GdbError('tg: cannot call tg::current_tape() (is the program running?): %s' % e)


def _norm(view):
    vals = view.values(view.numel)
    return math.sqrt(sum(v * v for v in vals))


class TapeCommand(gdb.Command):
    """tg-tape [N] [EXPR]: the last N entries (default all) of the current tape, or of the tg::Tape EXPR, as
print_tape shows them: index, op, name, shape, first values, |grad| after backward, file:line."""

    def __init__(self):
        super().__init__('tg-tape', gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        n = int(args[0]) if args else None
        tape = gdb.parse_and_eval(' '.join(args[1:])) if len(args) > 1 else current_tape()
        entries = tape_entries(tape)
        first = 0 if n is None else max(0, len(entries) - n)
        rows = []
        for i in range(first, len(entries)):
            e = entries[i]
            out = TensorView(tensor_impl(e['out']))
            g = out.grad()
            rows.append((str(i), _cstr(e['op'], 64), out.name or '-', shape_str(out.shape), out.values_str(4),
                         _fmt(_norm(g)) if g is not None else '-', where_str(e['where'])))
        header = ('#', 'op', 'name', 'shape', 'values', '|grad|', 'where')
        width = [max([w] + [len(r[c]) for r in rows]) for c, w in enumerate((4, 12, 10, 10, 42, 9, 0))]
        lines = ['tape: %d entries' % len(entries)]
        for r in [header] + rows:  # each column as wide as its longest cell (fused ops have long names)
            lines.append(' '.join(cell.ljust(width[c]) for c, cell in enumerate(r[:-1])) + ' ' + r[-1])
        gdb.write('\n'.join(lines) + '\n')


def _find_on_tape(name):
    """The newest tensor named `name` on the current tape: an entry's output or one of its inputs."""
    for e in reversed(tape_entries(current_tape())):
        for t in [e['out']] + tensor_list(e['inputs']):
            impl = tensor_impl(t)
            if impl is not None and TensorView(impl).name == name:
                return t
    return None


class GradCommand(gdb.Command):
    """tg-grad NAME: the gradient of a tensor, found as a variable of the selected frame or, failing that, by its
name on the current tape (a parameter's name like decoder.0.weight works). Shows up to 24 values."""

    def __init__(self):
        super().__init__('tg-grad', gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        name = arg.strip()
        if not name:
            raise gdb.GdbError('usage: tg-grad NAME')
        val = None
        try:
            val = gdb.selected_frame().read_var(name)
        except (ValueError, gdb.error):
            val = _find_on_tape(name)
        if val is None:
            raise gdb.GdbError("tg-grad: no variable and no tensor on the tape is named '%s'" % name)
        view = tensor_view(val)
        if view is None:
            gdb.write('%s: (undefined)\n' % name)
            return
        g = view.grad()
        text = 'no grad (backward has not reached it)' if g is None else \
            shape_str(g.shape) + ' ' + g.values_str(24) + ', |grad| = ' + _fmt(_norm(g))
        gdb.write('grad of %s: %s\n' % (view.head(), text))


class SoftmaxCommand(gdb.Command):
    """tg-softmax EXPR [AXIS]: softmax of a tensor's values along AXIS (default 0), computed here from the values:
for log_w (K, B) these are the normalised importance weights w_k / sum_j w_j of each example."""

    def __init__(self):
        super().__init__('tg-softmax', gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        if not args:
            raise gdb.GdbError('usage: tg-softmax EXPR [AXIS]')
        view = tensor_view(gdb.parse_and_eval(args[0]))
        if view is None:
            raise gdb.GdbError('tg-softmax: %s is undefined' % args[0])
        axis = int(args[1]) if len(args) > 1 else 0
        if axis < 0:
            axis += len(view.shape)
        if not 0 <= axis < len(view.shape):
            raise gdb.GdbError('tg-softmax: axis %d is out of range for shape %s' % (axis, shape_str(view.shape)))
        vals = view.values(view.numel)
        n = view.shape[axis]
        inner = 1
        for d in view.shape[axis + 1:]:
            inner *= d
        out = list(vals)
        for outer in range(view.numel // max(1, n * inner)):
            for j in range(inner):
                idx = [outer * n * inner + k * inner + j for k in range(n)]
                m = max(vals[i] for i in idx)
                z = sum(math.exp(vals[i] - m) for i in idx)
                for i in idx:
                    out[i] = math.exp(vals[i] - m) / z
        rows = [out[r * view.shape[-1]:(r + 1) * view.shape[-1]] for r in range(view.numel // view.shape[-1])] \
            if view.shape else [out]
        gdb.write('softmax over axis %d of %s:\n' % (axis, view.head()))
        for r in rows:
            gdb.write('  [' + ', '.join(_fmt(v) for v in r) + ']\n')


def tag_lines(tag):
    """(file, line) of the line that computes equation `tag`: the docs name the function ("(iwae.1) Computed by:
    `tg::vae::log_weights` in `vae/iwae.cpp`"), and the line is the one in its body that carries the tag. Without
    such a doc line: every line of library code that carries the tag in a comment after code."""
    docs = os.path.join(ROOT, 'docs', 'derivations')
    pattern = re.compile(re.escape(tag) + r' Computed by: `([\w:~]+)` in `([\w/.]+)`')
    for f in sorted(os.listdir(docs)) if os.path.isdir(docs) else []:
        with open(os.path.join(docs, f), encoding='utf-8') as md:
            m = pattern.search(md.read())
        if m:
            found = _tag_in_function(os.path.join(ROOT, m.group(2)), m.group(1).split('::')[-1], tag)
            if found:
                return [found]
    return _tagged_code_lines(tag)


def _tag_in_function(path, name, tag):
    """The first line carrying `tag` in the body of the function `name` defined in `path`, or None."""
    try:
        with open(path, encoding='utf-8') as src:
            lines = src.readlines()
    except OSError:
        return None
    inside = False
    for n, line in enumerate(lines, 1):
        if not inside and re.search(r'\b%s\(' % re.escape(name), line) and not line.startswith((' ', '/')):
            inside = True  # a definition starts at column 0; calls and declarations in comments do not
        elif inside and line.startswith('}'):
            inside = False
        if inside and tag in line.partition('//')[2]:
            return (path, n)
    return None


def _tagged_code_lines(tag):
    found = []
    for top in ('autodiff', 'prob', 'nn', 'vae'):
        for d, _, files in sorted(os.walk(os.path.join(ROOT, top))):
            for f in sorted(files):
                if not f.endswith('.cpp'):
                    continue
                path = os.path.join(d, f)
                with open(path, encoding='utf-8') as src:
                    for n, line in enumerate(src, 1):
                        code, _, comment = line.partition('//')
                        if tag in comment and code.strip():
                            found.append((path, n))
    return found


class BreakTagCommand(gdb.Command):
    """tg-break TAG: a breakpoint on the line of library code that computes equation TAG of docs/derivations, e.g.
tg-break (iwae.1): the line tagged TAG in the function that the docs say computes it."""

    def __init__(self):
        super().__init__('tg-break', gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        tag = arg.strip()
        if not re.fullmatch(r'\([a-z_]+\.[0-9]+\)', tag):
            raise gdb.GdbError('usage: tg-break (page.n), e.g. tg-break (iwae.1)')
        lines = tag_lines(tag)
        if not lines:
            raise gdb.GdbError('tg-break: no line of code carries %s' % tag)
        for path, n in lines:
            spec = '%s:%d' % (path, n)
            try:
                gdb.decode_line(spec)
            except gdb.error:  # a file this program does not contain (e.g. not linked in)
                gdb.write('(%s:%d is not in this program)\n' % (os.path.relpath(path, ROOT), n))
                continue
            gdb.Breakpoint(spec)


class ValuesCommand(gdb.Command):
    """tg-values N: how many values the Tensor printer shows (default 6)."""

    def __init__(self):
        super().__init__('tg-values', gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        global VALUES
        VALUES = max(1, int(arg))


class EntryFunction(gdb.Function):
    """$tg_entry(I): entry I of the current tape, as a value: print $tg_entry(30), print $tg_entry(30).where."""

    def __init__(self):
        super().__init__('tg_entry')

    def invoke(self, index):
        entries = tape_entries(current_tape())
        i = int(index)
        if not 0 <= i < len(entries):
            raise gdb.GdbError('$tg_entry: %d is not an entry of the tape (it has %d)' % (i, len(entries)))
        return entries[i]


# ---- registration -------------------------------------------------------------------------------------------------


def _register(objfile):
    # Before libstdc++'s printers, which would otherwise show tg::Shape as a std::vector.
    if lookup not in objfile.pretty_printers:
        objfile.pretty_printers.insert(0, lookup)


if not getattr(gdb, '_tapegrad_loaded', False):
    gdb._tapegrad_loaded = True
    for cmd in (TapeCommand, GradCommand, SoftmaxCommand, BreakTagCommand, ValuesCommand, EntryFunction):
        cmd()
    gdb.events.new_objfile.connect(lambda event: _register(event.new_objfile))
for _objfile in gdb.objfiles():
    _register(_objfile)
if lookup not in gdb.pretty_printers:
    gdb.pretty_printers.insert(0, lookup)
