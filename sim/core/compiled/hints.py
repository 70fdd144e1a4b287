"""Two LLVM intrinsics for the compiled loops: a prefetch hint for reads of scattered rows, and
the position of the lowest set bit of a 64-bit mask (the scans of `sim.core.compiled.scans` visit
only the rows whose bit is set)."""

from __future__ import annotations

# (the package's __init__, run first, has set numba's cache folder)
# ---- a prefetch hint for compiled loops over scattered rows ------------------------------------
# The month's movers are a few rows in every hundred: each touches a new cache line in every
# column, and the loops wait on memory. Asking for the line of a row some iterations ahead lets
# the loads overlap. A hint only: it changes no value.
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

AHEAD = 16  # rows ahead: enough to cover memory latency, few enough to stay in cache


@intrinsic
def prefetch(typingctx, arr, idx):
    """Hint that arr[idx] will be read or written soon (llvm.prefetch, write, keep in cache)."""
    sig = types.void(arr, idx)

    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, [args[1]], wraparound=False)
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]), "llvm.prefetch.p0")
        builder.call(fn, [builder.bitcast(ptr, i8p), ir.Constant(i32, 1), ir.Constant(i32, 3),
                          ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return sig, codegen


# ---- the set bits of a mask (the scans of sim.core.compiled.scans visit only these rows) -------
@intrinsic
def trailing_zeros(typingctx, x):
    """Position of the lowest set bit of a nonzero uint64 (llvm.cttz)."""
    sig = types.uint64(types.uint64)

    def codegen(context, builder, signature, args):
        i64 = ir.IntType(64)
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(i64, [i64, ir.IntType(1)]), "llvm.cttz.i64")
        return builder.call(fn, [args[0], ir.Constant(ir.IntType(1), 1)])

    return sig, codegen
