# gdb support for tapegrad: pretty-printers that show numbers (Tensor, TensorImpl, Shape, TensorList, TapeEntry,
# Tape, source_location, prob::Normal, prob::Bernoulli) and commands (tg-tape, tg-grad, tg-softmax, tg-break,
# tg-values, $tg_entry). docs/debugging.md shows how gdb loads this file (automatically from a safe path, or
# `source gdb/tapegrad.py`) and walks through an IWAE step with it; tests/gdb/printers.md shows the rest. The
# printers read memory only: they never call into the program, so they work on a core file and cannot crash the
# program; anything that does not look like a valid object prints as <...> saying why. Every member they read is
# named in LAYOUT below: when a header changes, that table is the one place to update.
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

# ---- the layouts the printers read: the one place to update when a header changes -------------------------------
# Every member the printers read is named here, with the names it had before (or may take): `member` tries them in
# order, then looks for a member of that name one level down (a base class, a struct the member moved into), and
# otherwise fails with a message naming the type, the member and this table, which the printer shows as <...>.
# The types are matched by their last name (tg::TensorList, tg::detail::TensorList ...), see `kind`.
LAYOUT = {
    # autodiff/tensor.hpp
    ('Tensor', 'impl'): ['impl_'],                      # std::shared_ptr<TensorImpl>
    ('TensorImpl', 'shape'): ['shape'],                 # tg::Dims
    ('TensorImpl', 'numel'): ['numel'],
    ('TensorImpl', 'dtype'): ['dtype'],                 # enum DType: 0 = float32, 1 = float64
    ('TensorImpl', 'requires_grad'): ['requires_grad'],
    ('TensorImpl', 'data'): ['data'],                   # void*: the values
    ('TensorImpl', 'grad'): ['grad'],                   # std::shared_ptr<TensorImpl>
    ('TensorImpl', 'generation'): ['generation'],       # the tape's generation when recorded
    ('TensorImpl', 'entry'): ['entry'],                 # tape index, -1 for a leaf
    ('TensorImpl', 'name'): ['name'],                   # std::string
    ('Dims', 'values'): ['values_'],                    # std::int64_t[max_size], inline
    ('Dims', 'size'): ['size_'],
    ('TensorList', 'size'): ['size_'],
    ('TensorList', 'inline'): ['inline_'],              # bytes holding the first tensors, built in place
    ('TensorList', 'spill'): ['spill_'],                # Tensor*: all of them once spilled (a std::vector once)
    ('TensorList', 'capacity'): ['capacity_'],          # of spill_
    # autodiff/tape.hpp
    ('TapeEntry', 'op'): ['op'],                        # const char*
    ('TapeEntry', 'inputs'): ['inputs'],                # TensorList
    ('TapeEntry', 'out'): ['out'],                      # Tensor
    ('TapeEntry', 'where'): ['where'],                  # std::source_location
    ('Tape', 'entries'): ['entries_'],                  # std::vector<TapeEntry>
    ('Tape', 'generation'): ['generation_'],            # std::atomic<std::uint64_t>
    ('LiveTapes', 'tapes'): ['tapes'],                  # std::vector<const Tape*>
    # prob/normal.hpp, prob/transforms.hpp, prob/bernoulli.hpp
    ('prob::Normal', 'transform'): ['t_'],              # AffineTransform
    ('prob::Normal', 'log_var'): ['log_var_'],
    ('prob::AffineTransform', 'mu'): ['mu_'],
    ('prob::AffineTransform', 'sigma'): ['sigma_'],
    ('prob::AffineTransform', 'event_dims'): ['event_dims_'],
    ('prob::Bernoulli', 'logits'): ['logits_'],
    ('prob::Bernoulli', 'event_dims'): ['event_dims_'],
}
# tape.cpp's registry of the tapes that exist (a function-local static): names the printers try in turn.
LIVE_TAPES = ["'tg::detail::live_tapes()::registry'", "'tg::live_tapes()::registry'"]
# The accessor of the current tape, called by the commands (never by the printers).
CURRENT_TAPE = 'tg::current_tape()'


# Types whose last name is not their LAYOUT name (a template, say): full name -> LAYOUT name.
KINDS = {}


def kind(t):
    """The LAYOUT name of a type: 'Tensor' for tg::Tensor or tg::detail::Tensor, 'prob::Normal' for
    tg::prob::Normal; None for a type outside namespace tg."""
    name = t.name or ''
    if name in KINDS:
        return KINDS[name]
    if not name.startswith('tg::') or '<' in name:
        return None
    parts = name.split('::')
    return 'prob::' + parts[-1] if 'prob' in parts[1:-1] else parts[-1]


def member(val, what):
    """val's member `what` of LAYOUT (val a struct, or a reference or pointer to one)."""
    val = _deref(val)
    k = kind(_strip(val.type)) or str(val.type)
    names = LAYOUT.get((k, what), [what])
    for n in names:
        try:
            return val[n]  # gdb looks in base classes and anonymous unions too
        except gdb.error:
            pass
    for f in _strip(val.type).fields():  # one level down: a struct the member moved into
        if f.name and not f.is_base_class and _strip(f.type).code in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION):
            for n in names:
                try:
                    return val[f.name][n]
                except gdb.error:
                    pass
    raise ValueError('%s has no member %s (gdb/tapegrad.py, LAYOUT)' % (_strip(val.type).name, ' or '.join(names)))


def _int(v):
    """An integer member, also when it is a std::atomic (libstdc++ keeps the value in _M_i)."""
    t = _strip(v.type)
    if t.code == gdb.TYPE_CODE_STRUCT:
        for f in t.fields():
            if f.name == '_M_i':
                return int(v['_M_i'])
            if f.is_base_class:
                return _int(v.cast(f.type))
        raise ValueError('not an integer: %s' % t)
    return int(v)

# ---- reading libstdc++ objects --------------------------------------------------------------------------------


def _ptr(shared):
    """The raw pointer held by a std::shared_ptr / std::weak_ptr / std::unique_ptr or a plain pointer, or None."""
    if _strip(shared.type).code == gdb.TYPE_CODE_PTR:
        p = shared
    else:
        try:
            p = shared['_M_ptr']  # shared_ptr, weak_ptr (in their base class)
        except gdb.error:
            p = shared['_M_t']['_M_t']['_M_head_impl']  # unique_ptr
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
    if kind(_strip(v.type)) != 'Dims':
        return _vector(v, limit)
    values = member(v, 'values')
    n = int(member(v, 'size'))
    if n < 0 or n > min(limit, values.type.range()[1] + 1):
        raise ValueError('not a valid Dims')
    return [values[i] for i in range(n)]

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
    for name in LIVE_TAPES:
        try:
            registry = gdb.parse_and_eval(name)
            break
        except gdb.error:
            continue
    else:
        return set()
    if int(registry) == 0:
        return set()
    return {_int(member(t, 'generation')) for t in _vector(member(registry, 'tapes'), 1 << 12)}


class TensorView:
    """What the printers need from a TensorImpl, read from memory; raises ValueError or gdb.error if invalid."""

    def __init__(self, impl):
        self.impl = impl
        self.shape = [int(d) for d in _dims(member(impl, 'shape'), MAX_RANK)]
        self.numel = int(member(impl, 'numel'))
        n = 1
        for d in self.shape:
            n *= d
        if any(d < 0 for d in self.shape) or n != self.numel:
            raise ValueError('not a valid tensor (uninitialised?)')
        self.dtype = int(member(impl, 'dtype'))
        if self.dtype not in (0, 1):
            raise ValueError('not a valid dtype')
        self.name = _string(member(impl, 'name'))
        self.requires_grad = bool(member(impl, 'requires_grad'))
        self.entry = int(member(impl, 'entry'))

    def dtype_name(self):
        return 'float32' if self.dtype == 0 else 'float64'

    def values(self, count):
        count = min(count, self.numel)
        if count <= 0:
            return []
        addr = int(member(self.impl, 'data'))
        if addr == 0:
            raise ValueError('no values')
        size, code = (4, 'f') if self.dtype == 0 else (8, 'd')
        raw = gdb.selected_inferior().read_memory(addr, count * size)
        return list(struct.unpack('<%d%s' % (count, code), bytes(raw)))

    def stale(self):
        if self.entry < 0:
            return False
        return int(member(self.impl, 'generation')) not in live_generations()

    def grad(self):
        g = _ptr(member(self.impl, 'grad'))
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
    """The TensorImpl of a Tensor, a TensorImpl, a pointer to either or a std::shared_ptr<TensorImpl>; None for an
    undefined Tensor. Raises ValueError for anything else."""
    val = _deref(val)
    t = _strip(val.type)
    k = kind(t)
    if k == 'Tensor':
        p = _ptr(member(val, 'impl'))
        return None if p is None else p.dereference()
    if k == 'TensorImpl':
        return val
    if (t.name or '').startswith('std::shared_ptr<tg::') and t.template_argument(0).name.endswith('TensorImpl'):
        p = _ptr(val)
        return None if p is None else p.dereference()
    raise ValueError('not a tg::Tensor: ' + str(val.type))


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
    return '%s:%d' % (repo_path(_cstr(impl['_M_file_name'])), int(impl['_M_line']))


TOP_FOLDERS = ('autodiff', 'prob', 'nn', 'vae', 'examples', 'tests', 'bench')


def repo_path(f):
    """A source file's path relative to the repository, as tg::where_str shows it: the root stripped, or, for a path
    the compiler was given relative to the build folder (ccache's base_dir: ../../../vae/iwae.cpp), the path from
    the last top folder of the repository on."""
    if f.startswith(ROOT + '/'):
        return f[len(ROOT) + 1:]
    for top in TOP_FOLDERS:
        pos = f.rfind('/' + top + '/')
        if pos >= 0:
            return f[pos + 1:]
    return f


class SourceLocationPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        try:
            return where_str(self.val)
        except (ValueError, gdb.error, gdb.MemoryError) as e:
            return '<source_location: %s>' % e


def entry_str(e):
    try:
        out = TensorView(tensor_impl(member(e, 'out')))
        name = (" '%s'" % out.name) if out.name else ''
        return '#%d %s ->%s %s at %s' % (out.entry, _cstr(member(e, 'op'), 64), name, shape_str(out.shape),
                                         where_str(member(e, 'where')))
    except (ValueError, gdb.error, gdb.MemoryError) as err:
        return '<tape entry: %s>' % err


class TapeEntryPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        return entry_str(self.val)


def tape_entries(tape):
    return _vector(member(tape, 'entries'))


class TapePrinter:
    LAST = 5

    def __init__(self, val):
        self.val = val

    def to_string(self):
        try:
            n = len(tape_entries(self.val))
            return 'Tape with %d entries' % n + (', the last %d:' % min(n, self.LAST) if n else '')
        except (ValueError, gdb.error, gdb.MemoryError) as e:
            return '<tape: %s>' % e

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
        try:
            return 'prob::Normal event_dims=%d' % int(member(member(self.val, 'transform'), 'event_dims'))
        except (ValueError, gdb.error, gdb.MemoryError) as e:
            return '<prob::Normal: %s>' % e

    def children(self):
        try:
            t = member(self.val, 'transform')
            mu, sigma, log_var = member(t, 'mu'), member(t, 'sigma'), member(self.val, 'log_var')
        except (ValueError, gdb.error):
            return
        yield 'mu', describe(mu, with_grad=False)
        yield 'sigma', describe(sigma, with_grad=False)
        if tensor_impl(log_var) is not None:
            yield 'log_var', describe(log_var, with_grad=False)


class BernoulliPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        try:
            return 'prob::Bernoulli event_dims=%d' % int(member(self.val, 'event_dims'))
        except (ValueError, gdb.error, gdb.MemoryError) as e:
            return '<prob::Bernoulli: %s>' % e

    def children(self):
        try:
            logits = member(self.val, 'logits')
        except (ValueError, gdb.error):
            return
        yield 'logits', describe(logits, with_grad=False)


def tensor_list(v):
    """The Tensors of a std::vector<Tensor> or a tg::TensorList: up to a few built in place in the bytes of its
    inline storage; once it has spilled (a fifth tensor), all of them in a heap array (a Tensor*, or a std::vector
    in older builds). Raises ValueError for anything that does not look like a valid list."""
    v = _deref(v)
    if kind(_strip(v.type)) != 'TensorList':
        return _vector(v)
    n = int(member(v, 'size'))
    spill = member(v, 'spill')
    if _strip(spill.type).code == gdb.TYPE_CODE_STRUCT and '_M_impl' in {f.name for f in _strip(spill.type).fields()}:
        items = _vector(spill)  # the older layout: a std::vector beside the inline tensors
        if items:
            if len(items) != n:
                raise ValueError('size %d, but %d tensors spilled' % (n, len(items)))
            return items
        heap = None
    else:
        heap = _ptr(spill)
    tensor = heap.type.target() if heap is not None else gdb.lookup_type('tg::Tensor')
    inline = member(v, 'inline')
    fits = _strip(inline.type).sizeof // _strip(tensor).sizeof  # inline_capacity, without reading a static
    if heap is not None:
        capacity = int(member(v, 'capacity'))
        if n < 0 or n > capacity or capacity > 1 << 20:
            raise ValueError('size %d, capacity %d: not a valid TensorList' % (n, capacity))
        elems = heap
    else:
        if n < 0 or n > fits:
            raise ValueError('size %d with %d inline and nothing spilled: not a valid TensorList' % (n, fits))
        elems = inline.address.cast(tensor.pointer())
    return [(elems + i).dereference() for i in range(n)]


class TensorListPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        try:
            return 'TensorList of %d' % len(tensor_list(self.val))
        except (ValueError, gdb.error, gdb.MemoryError) as e:
            return '<TensorList: %s>' % e

    def children(self):
        try:
            items = tensor_list(self.val)
        except (ValueError, gdb.error, gdb.MemoryError):
            return
        for i, t in enumerate(items):
            yield '[%d]' % i, describe(t, with_grad=False)

    def display_hint(self):
        return 'array'


PRINTERS = {  # by kind(type): the type's last name in namespace tg
    'Tensor': TensorPrinter,
    'TensorImpl': TensorPrinter,
    'TapeEntry': TapeEntryPrinter,
    'TensorList': TensorListPrinter,
    'Tape': TapePrinter,
    'Dims': ShapePrinter,  # tg::Shape is a typedef of it
    'prob::Normal': NormalPrinter,
    'prob::Bernoulli': BernoulliPrinter,
}


def lookup(val):
    t = val.type
    if t.code in (gdb.TYPE_CODE_REF, gdb.TYPE_CODE_RVALUE_REF):
        t = t.target()
    t = t.unqualified()
    while t.code == gdb.TYPE_CODE_TYPEDEF:  # before libstdc++'s printers see a typedef's target
        if t.name in ('tg::Shape', 'tg::Dims'):
            return ShapePrinter(val)
        t = t.target().unqualified()
    if t.name == 'std::source_location':
        return SourceLocationPrinter(val)
    printer = PRINTERS.get(kind(t))
    return printer(val) if printer else None


# ---- commands -----------------------------------------------------------------------------------------------------


def current_tape():
    try:
        return gdb.parse_and_eval(CURRENT_TAPE)
    except gdb.error as e:
        raise gdb.GdbError('tg: cannot call %s (is the program running?): %s' % (CURRENT_TAPE, e))


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
            try:
                out = TensorView(tensor_impl(member(e, 'out')))
                g = out.grad()
                rows.append((str(i), _cstr(member(e, 'op'), 64), out.name or '-', shape_str(out.shape),
                             out.values_str(4), _fmt(_norm(g)) if g is not None else '-',
                             where_str(member(e, 'where'))))
            except (ValueError, gdb.error, gdb.MemoryError) as err:  # one bad entry does not hide the others
                rows.append((str(i), '<unreadable: %s>' % err, '', '', '', '', ''))
        header = ('#', 'op', 'name', 'shape', 'values', '|grad|', 'where')
        width = [max([w] + [len(r[c]) for r in rows]) for c, w in enumerate((4, 12, 10, 10, 42, 9, 0))]
        lines = ['tape: %d entries' % len(entries)]
        for r in [header] + rows:  # each column as wide as its longest cell (fused ops have long names)
            lines.append(' '.join(cell.ljust(width[c]) for c, cell in enumerate(r[:-1])) + ' ' + r[-1])
        gdb.write('\n'.join(lines) + '\n')


def _find_on_tape(name):
    """The tensor named `name` on the current tape (an entry's output or one of its inputs) that backward reaches:
    detach() keeps the name, so a name may belong to the tensor on the tape and to detached copies of it (DReG's
    q with mu and log_var detached, z.detach()). Preferred, in this order: one with a gradient, one that requires
    grad, one recorded by an op; among equals the newest. Entries that cannot be read are passed over."""
    best, best_rank = None, None
    for e in reversed(tape_entries(current_tape())):
        try:
            tensors = [member(e, 'out')] + tensor_list(member(e, 'inputs'))
        except (ValueError, gdb.error, gdb.MemoryError):
            continue
        for t in tensors:
            try:
                impl = tensor_impl(t)
                view = None if impl is None else TensorView(impl)
            except (ValueError, gdb.error, gdb.MemoryError):
                continue
            if view is None or view.name != name:
                continue
            rank = (view.grad() is not None, view.requires_grad, view.entry >= 0)
            if best_rank is None or rank > best_rank:  # strictly better: the newest of equals stays
                best, best_rank = t, rank
    return best


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
        try:
            view = tensor_view(val)
            if view is None:
                gdb.write('%s: (undefined)\n' % name)
                return
            g = view.grad()
        except (ValueError, gdb.MemoryError) as err:
            raise gdb.GdbError('tg-grad: %s cannot be read: %s' % (name, err))
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
        try:
            view = tensor_view(gdb.parse_and_eval(args[0]))
        except (ValueError, gdb.MemoryError) as err:
            raise gdb.GdbError('tg-softmax: %s: %s' % (args[0], err))
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
