#!/usr/bin/env python3
"""Known-answer vectors for core/libm.ts, computed outside JavaScript with Python's decimal module.

For each function, a few hundred arguments over the ranges that matter (ordinary, tiny, near the reduction
thresholds and multiples of ln 2 or pi/2, near overflow, subnormal results, huge |x| for sin/cos), each with
f(x) evaluated to 60 significant digits (pi to 1200 digits for the reduction of sin/cos arguments up to 1e308) and
rounded once to the nearest double (float(Decimal) rounds correctly). Output lines: `name x_hex y_hex`, the
IEEE-754 bit patterns of the argument and of the correctly rounded result.

Regenerate: python3 test/core/libm-vectors.py > test/core/libm-vectors.txt   (deterministic: fixed seed)
"""
import random
import struct
from decimal import Decimal, getcontext, localcontext

PREC = 60
getcontext().prec = PREC


def bits(x: float) -> str:
    return struct.pack('>d', x).hex()


def from_bits(b: int) -> float:
    return struct.unpack('>d', struct.pack('>Q', b))[0]


def next_up(x: float, n: int = 1) -> float:
    b = struct.unpack('>Q', struct.pack('>d', x))[0]
    return from_bits(b + n if x >= 0 else b - n) if x != 0 or n > 0 else -from_bits(-n)


def arctan_inv(n: int, prec: int) -> Decimal:
    with localcontext() as c:
        c.prec = prec + 10
        x = Decimal(1) / n
        x2 = x * x
        s = t = x
        k = 1
        eps = Decimal(10) ** -(prec + 5)
        while True:
            t = -t * x2
            k += 2
            d = t / k
            if abs(d) < eps:
                return s
            s += d


with localcontext() as _c:
    _c.prec = 1200
    PI = 16 * arctan_inv(5, 1200) - 4 * arctan_inv(239, 1200)
    HALF_PI = PI / 2


def sin_taylor(r: Decimal) -> Decimal:
    s = t = r
    r2 = r * r
    k = 1
    while True:
        t = -t * r2 / ((k + 1) * (k + 2))
        k += 2
        if t == 0 or abs(t) < abs(s) * Decimal(10) ** -(PREC + 5):
            return s
        s += t


def cos_taylor(r: Decimal) -> Decimal:
    s = t = Decimal(1)
    r2 = r * r
    k = 0
    while True:
        t = -t * r2 / ((k + 1) * (k + 2))
        k += 2
        if abs(t) < Decimal(10) ** -(PREC + 5):
            return s
        s += t


def reduce_pio2(x: float):
    with localcontext() as c:
        c.prec = 1200
        d = Decimal(x)
        k = int((d / HALF_PI).to_integral_value())
        r = d - k * HALF_PI
    return k, +r  # unary plus rounds r to PREC significant digits


def d_sin(x: float) -> Decimal:
    k, r = reduce_pio2(x)
    return [sin_taylor(r), cos_taylor(r), -sin_taylor(r), -cos_taylor(r)][k % 4]


def d_cos(x: float) -> Decimal:
    k, r = reduce_pio2(x)
    return [cos_taylor(r), -sin_taylor(r), -cos_taylor(r), sin_taylor(r)][k % 4]


def d_expm1(x: float) -> Decimal:
    d = Decimal(x)
    if abs(x) < 1e-5:
        s = t = d
        k = 1
        while True:
            k += 1
            t = t * d / k
            if abs(t) < abs(s) * Decimal(10) ** -(PREC + 5):
                return s
            s += t
    with localcontext() as c:
        c.prec = PREC + 20
        return +(d.exp() - 1)


def d_log1p(x: float) -> Decimal:
    d = Decimal(x)
    if abs(x) < 1e-5:
        s = t = d
        k = 1
        while True:
            k += 1
            t = -t * d
            term = t / k
            if abs(term) < abs(s) * Decimal(10) ** -(PREC + 5):
                return s
            s += term
    with localcontext() as c:
        c.prec = 800  # 1 + x exactly
        u = Decimal(1) + d
        c.prec = PREC + 10
        return +u.ln()


def d_tanh(x: float) -> Decimal:
    d = Decimal(x)
    if abs(x) < 1e-5:
        return d - d ** 3 / 3 + 2 * d ** 5 / 15
    with localcontext() as c:
        c.prec = PREC + 20
        e = (2 * d).exp()
        return +((e - 1) / (e + 1))


FUNCS = {
    'exp': lambda x: Decimal(x).exp(),
    'expm1': d_expm1,
    'log': lambda x: Decimal(x).ln(),
    'log1p': d_log1p,
    'sin': d_sin,
    'cos': d_cos,
    'tanh': d_tanh,
}


def arguments(name: str, rnd: random.Random) -> list:
    u = rnd.uniform
    ln2 = 0.6931471805599453
    near = lambda v, m=4: [next_up(v, rnd.randint(-m, m)) for _ in range(2)]
    xs = []
    if name in ('exp', 'expm1'):
        xs += [u(-1, 1) for _ in range(120)] + [u(-745.2, 709.8) for _ in range(120)]
        xs += [u(-1, 1) * 2.0 ** -rnd.randint(20, 60) for _ in range(40)]
        for k in rnd.sample(range(-1074, 1024), 60):
            xs += near(k * ln2)
        xs += [u(709.0, 709.782712893384) for _ in range(30)] + [709.782712893384]
        xs += [u(-745.13, -708.4) for _ in range(60)]  # subnormal results
        xs += near(0.5 * ln2, 8) + near(1.5 * ln2, 8) + near(-0.5 * ln2, 8) + near(-1.5 * ln2, 8)
        if name == 'expm1':
            xs = [x for x in xs if x > -40] + near(56 * ln2) + [u(-45, -30) for _ in range(20)]
    elif name in ('log', 'log1p'):
        xs += [u(0, 10) for _ in range(100)] + [2.0 ** u(-1074, 1024) for _ in range(150)]
        xs += [from_bits(rnd.randint(1, (1 << 52) - 1)) for _ in range(40)]  # subnormal arguments
        xs += [1 + u(-1, 1) * 2.0 ** -rnd.randint(10, 52) for _ in range(80)]
        xs += [2.0 ** rnd.randint(-1074, 1023) * next_up(1, rnd.randint(-3, 3)) for _ in range(40)]
        xs += [u(0.7, 1.45) for _ in range(60)]
        if name == 'log1p':
            xs = [x - 1 for x in xs if x < 1e300] + [u(-1, 1) * 2.0 ** -rnd.randint(20, 70) for _ in range(60)]
            xs += [u(-0.3, 0.42) for _ in range(60)] + [next_up(-1, rnd.randint(1, 1000)) for _ in range(10)]
    elif name in ('sin', 'cos'):
        xs += [u(-10, 10) for _ in range(150)] + [u(-1, 1) * 2.0 ** -rnd.randint(20, 60) for _ in range(30)]
        for k in rnd.sample(range(1, 1 << 20), 50) + list(range(1, 33)):
            xs += near(k * 1.5707963267948966, 2)
        xs += [u(-1e6, 1e6) for _ in range(60)] + [u(-1, 1) * 2.0 ** rnd.randint(20, 1023) for _ in range(120)]
        xs += [6381956970095103.0 * 2.0 ** 797, 5.319372648326541e255, 1e22, 1.0e300, 2.0 ** 1023 * 1.9999999]
    elif name == 'tanh':
        xs += [u(-25, 25) for _ in range(150)] + [u(-1, 1) * 2.0 ** -rnd.randint(20, 60) for _ in range(40)]
        xs += [u(-2, 2) for _ in range(100)] + near(1.0, 8) + near(22.0, 8) + near(-1.0, 8)
        xs += [u(-1, 1) * 2.0 ** -rnd.randint(1, 19) for _ in range(60)]
    return sorted(set(xs))


def main() -> None:
    rnd = random.Random(20261206)
    print('# core/libm.ts known answers: name x_bits correctly_rounded_f(x)_bits (IEEE-754 binary64, big-endian hex)')
    print('# generated by test/core/libm-vectors.py (python decimal, 60 digits); do not edit')
    for name, f in FUNCS.items():
        for x in arguments(name, rnd):
            y = float(f(x))
            if y != y or y in (float('inf'), float('-inf')):
                continue
            print(name, bits(x), bits(y))


main()
