;; Dense kernels for the digital engine, WebAssembly with 128-bit SIMD (two f64 lanes).
;;
;; Every pointer is a byte offset into the imported memory; matrices are row-major f64, batched vectors
;; sample-major. The summation order is fixed and mirrored exactly by the JavaScript kernels
;; (core/kernels/js-kernels.ts), so both back ends give bit-identical results:
;;   dot(w, x) over n = 4q + t entries: four partial sums s0..s3 over indices ≡ 0,1,2,3 (mod 4),
;;   combined as (s0 + s2) + (s1 + s3), then the t tail products added in order.
;; No fused multiply-add is used (none exists in baseline SIMD), matching JavaScript arithmetic.
;;
;; Source of truth for core/kernels/simd-wasm.generated.ts (run `npm run build:wasm` after editing).
(module
  (import "env" "memory" (memory 1))

  ;; s = dot(w[0..n), x[0..n))
  (func $dot (param $w i32) (param $x i32) (param $n i32) (result f64)
    (local $a0 v128) (local $a1 v128) (local $end4 i32) (local $end i32) (local $s f64)
    (local.set $end4 (i32.add (local.get $w) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3))))
    (local.set $end (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 3))))
    (block $b (loop $l
      (br_if $b (i32.ge_u (local.get $w) (local.get $end4)))
      (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load (local.get $w)) (v128.load (local.get $x)))))
      (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (v128.load offset=16 (local.get $w)) (v128.load offset=16 (local.get $x)))))
      (local.set $w (i32.add (local.get $w) (i32.const 32)))
      (local.set $x (i32.add (local.get $x) (i32.const 32)))
      (br $l)))
    (local.set $a0 (f64x2.add (local.get $a0) (local.get $a1)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
    (block $b2 (loop $l2
      (br_if $b2 (i32.ge_u (local.get $w) (local.get $end)))
      (local.set $s (f64.add (local.get $s) (f64.mul (f64.load (local.get $w)) (f64.load (local.get $x)))))
      (local.set $w (i32.add (local.get $w) (i32.const 8)))
      (local.set $x (i32.add (local.get $x) (i32.const 8)))
      (br $l2)))
    (local.get $s))

  ;; w[0..n) += a · p[0..n)
  (func $axpy (param $w i32) (param $p i32) (param $n i32) (param $a f64)
    (local $av v128) (local $end4 i32) (local $end i32)
    (local.set $av (f64x2.splat (local.get $a)))
    (local.set $end4 (i32.add (local.get $w) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3))))
    (local.set $end (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 3))))
    (block $b (loop $l
      (br_if $b (i32.ge_u (local.get $w) (local.get $end4)))
      (v128.store (local.get $w) (f64x2.add (v128.load (local.get $w)) (f64x2.mul (local.get $av) (v128.load (local.get $p)))))
      (v128.store offset=16 (local.get $w) (f64x2.add (v128.load offset=16 (local.get $w)) (f64x2.mul (local.get $av) (v128.load offset=16 (local.get $p)))))
      (local.set $w (i32.add (local.get $w) (i32.const 32)))
      (local.set $p (i32.add (local.get $p) (i32.const 32)))
      (br $l)))
    (block $b2 (loop $l2
      (br_if $b2 (i32.ge_u (local.get $w) (local.get $end)))
      (f64.store (local.get $w) (f64.add (f64.load (local.get $w)) (f64.mul (local.get $a) (f64.load (local.get $p)))))
      (local.set $w (i32.add (local.get $w) (i32.const 8)))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (br $l2))))

  ;; One row: w += a·p, then returns dot(w, x) with the updated w (single pass).
  (func $update_dot (param $w i32) (param $p i32) (param $x i32) (param $n i32) (param $a f64) (result f64)
    (local $av v128) (local $a0 v128) (local $a1 v128) (local $v v128) (local $end4 i32) (local $end i32) (local $s f64) (local $ws f64)
    (local.set $av (f64x2.splat (local.get $a)))
    (local.set $end4 (i32.add (local.get $w) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3))))
    (local.set $end (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 3))))
    (block $b (loop $l
      (br_if $b (i32.ge_u (local.get $w) (local.get $end4)))
      (local.set $v (f64x2.add (v128.load (local.get $w)) (f64x2.mul (local.get $av) (v128.load (local.get $p)))))
      (v128.store (local.get $w) (local.get $v))
      (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $v) (v128.load (local.get $x)))))
      (local.set $v (f64x2.add (v128.load offset=16 (local.get $w)) (f64x2.mul (local.get $av) (v128.load offset=16 (local.get $p)))))
      (v128.store offset=16 (local.get $w) (local.get $v))
      (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $v) (v128.load offset=16 (local.get $x)))))
      (local.set $w (i32.add (local.get $w) (i32.const 32)))
      (local.set $p (i32.add (local.get $p) (i32.const 32)))
      (local.set $x (i32.add (local.get $x) (i32.const 32)))
      (br $l)))
    (local.set $a0 (f64x2.add (local.get $a0) (local.get $a1)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
    (block $b2 (loop $l2
      (br_if $b2 (i32.ge_u (local.get $w) (local.get $end)))
      (local.set $ws (f64.add (f64.load (local.get $w)) (f64.mul (local.get $a) (f64.load (local.get $p)))))
      (f64.store (local.get $w) (local.get $ws))
      (local.set $s (f64.add (local.get $s) (f64.mul (local.get $ws) (f64.load (local.get $x)))))
      (local.set $w (i32.add (local.get $w) (i32.const 8)))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (local.set $x (i32.add (local.get $x) (i32.const 8)))
      (br $l2)))
    (local.get $s))

  ;; One row: w += a·p, then dot(w, x) and dot(w, x2) with the updated w. The second result goes to
  ;; memory at $out2.
  (func $update_dot2 (param $w i32) (param $p i32) (param $x i32) (param $x2 i32) (param $n i32) (param $a f64) (param $out2 i32) (result f64)
    (local $av v128) (local $a0 v128) (local $a1 v128) (local $c0 v128) (local $c1 v128) (local $v v128)
    (local $end4 i32) (local $end i32) (local $s f64) (local $t f64) (local $ws f64)
    (local.set $av (f64x2.splat (local.get $a)))
    (local.set $end4 (i32.add (local.get $w) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3))))
    (local.set $end (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 3))))
    (block $b (loop $l
      (br_if $b (i32.ge_u (local.get $w) (local.get $end4)))
      (local.set $v (f64x2.add (v128.load (local.get $w)) (f64x2.mul (local.get $av) (v128.load (local.get $p)))))
      (v128.store (local.get $w) (local.get $v))
      (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $v) (v128.load (local.get $x)))))
      (local.set $c0 (f64x2.add (local.get $c0) (f64x2.mul (local.get $v) (v128.load (local.get $x2)))))
      (local.set $v (f64x2.add (v128.load offset=16 (local.get $w)) (f64x2.mul (local.get $av) (v128.load offset=16 (local.get $p)))))
      (v128.store offset=16 (local.get $w) (local.get $v))
      (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $v) (v128.load offset=16 (local.get $x)))))
      (local.set $c1 (f64x2.add (local.get $c1) (f64x2.mul (local.get $v) (v128.load offset=16 (local.get $x2)))))
      (local.set $w (i32.add (local.get $w) (i32.const 32)))
      (local.set $p (i32.add (local.get $p) (i32.const 32)))
      (local.set $x (i32.add (local.get $x) (i32.const 32)))
      (local.set $x2 (i32.add (local.get $x2) (i32.const 32)))
      (br $l)))
    (local.set $a0 (f64x2.add (local.get $a0) (local.get $a1)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
    (local.set $c0 (f64x2.add (local.get $c0) (local.get $c1)))
    (local.set $t (f64.add (f64x2.extract_lane 0 (local.get $c0)) (f64x2.extract_lane 1 (local.get $c0))))
    (block $b2 (loop $l2
      (br_if $b2 (i32.ge_u (local.get $w) (local.get $end)))
      (local.set $ws (f64.add (f64.load (local.get $w)) (f64.mul (local.get $a) (f64.load (local.get $p)))))
      (f64.store (local.get $w) (local.get $ws))
      (local.set $s (f64.add (local.get $s) (f64.mul (local.get $ws) (f64.load (local.get $x)))))
      (local.set $t (f64.add (local.get $t) (f64.mul (local.get $ws) (f64.load (local.get $x2)))))
      (local.set $w (i32.add (local.get $w) (i32.const 8)))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (local.set $x (i32.add (local.get $x) (i32.const 8)))
      (local.set $x2 (i32.add (local.get $x2) (i32.const 8)))
      (br $l2)))
    (f64.store (local.get $out2) (local.get $t))
    (local.get $s))

  ;; dot(w, x) and dot(w, x2) in one pass; the second result goes to memory at $out2.
  (func $dot2 (param $w i32) (param $x i32) (param $x2 i32) (param $n i32) (param $out2 i32) (result f64)
    (local $a0 v128) (local $a1 v128) (local $c0 v128) (local $c1 v128) (local $v v128)
    (local $end4 i32) (local $end i32) (local $s f64) (local $t f64) (local $ws f64)
    (local.set $end4 (i32.add (local.get $w) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3))))
    (local.set $end (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 3))))
    (block $b (loop $l
      (br_if $b (i32.ge_u (local.get $w) (local.get $end4)))
      (local.set $v (v128.load (local.get $w)))
      (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $v) (v128.load (local.get $x)))))
      (local.set $c0 (f64x2.add (local.get $c0) (f64x2.mul (local.get $v) (v128.load (local.get $x2)))))
      (local.set $v (v128.load offset=16 (local.get $w)))
      (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $v) (v128.load offset=16 (local.get $x)))))
      (local.set $c1 (f64x2.add (local.get $c1) (f64x2.mul (local.get $v) (v128.load offset=16 (local.get $x2)))))
      (local.set $w (i32.add (local.get $w) (i32.const 32)))
      (local.set $x (i32.add (local.get $x) (i32.const 32)))
      (local.set $x2 (i32.add (local.get $x2) (i32.const 32)))
      (br $l)))
    (local.set $a0 (f64x2.add (local.get $a0) (local.get $a1)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
    (local.set $c0 (f64x2.add (local.get $c0) (local.get $c1)))
    (local.set $t (f64.add (f64x2.extract_lane 0 (local.get $c0)) (f64x2.extract_lane 1 (local.get $c0))))
    (block $b2 (loop $l2
      (br_if $b2 (i32.ge_u (local.get $w) (local.get $end)))
      (local.set $ws (f64.load (local.get $w)))
      (local.set $s (f64.add (local.get $s) (f64.mul (local.get $ws) (f64.load (local.get $x)))))
      (local.set $t (f64.add (local.get $t) (f64.mul (local.get $ws) (f64.load (local.get $x2)))))
      (local.set $w (i32.add (local.get $w) (i32.const 8)))
      (local.set $x (i32.add (local.get $x) (i32.const 8)))
      (local.set $x2 (i32.add (local.get $x2) (i32.const 8)))
      (br $l2)))
    (f64.store (local.get $out2) (local.get $t))
    (local.get $s))

  ;; y[b·rows + r] = dot(W_r, x_b) for r < rows, b < B.
  (func (export "gemv") (param $W i32) (param $rows i32) (param $cols i32) (param $B i32) (param $x i32) (param $y i32)
    (local $r i32) (local $b i32) (local $row i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 3)))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $row (i32.add (local.get $W) (i32.mul (local.get $r) (local.get $rowBytes))))
      (local.set $b (i32.const 0))
      (block $bd (loop $bl
        (br_if $bd (i32.ge_u (local.get $b) (local.get $B)))
        (f64.store
          (i32.add (local.get $y) (i32.shl (i32.add (i32.mul (local.get $b) (local.get $rows)) (local.get $r)) (i32.const 3)))
          (call $dot (local.get $row) (i32.add (local.get $x) (i32.mul (local.get $b) (local.get $rowBytes))) (local.get $cols)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bl)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  ;; W_r += Σ_b (coef · post[b·rows + r]) · pre_b, for every row r (samples in order; zero factors skipped).
  (func (export "rankUpdate") (param $W i32) (param $rows i32) (param $cols i32) (param $B i32) (param $coef f64) (param $post i32) (param $pre i32)
    (local $r i32) (local $b i32) (local $row i32) (local $rowBytes i32) (local $a f64)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 3)))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $row (i32.add (local.get $W) (i32.mul (local.get $r) (local.get $rowBytes))))
      (local.set $b (i32.const 0))
      (block $bd (loop $bl
        (br_if $bd (i32.ge_u (local.get $b) (local.get $B)))
        (local.set $a (f64.mul (local.get $coef)
          (f64.load (i32.add (local.get $post) (i32.shl (i32.add (i32.mul (local.get $b) (local.get $rows)) (local.get $r)) (i32.const 3))))))
        (if (f64.ne (local.get $a) (f64.const 0))
          (then (call $axpy (local.get $row) (i32.add (local.get $pre) (i32.mul (local.get $b) (local.get $rowBytes))) (local.get $cols) (local.get $a))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bl)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  ;; Single sample: W_r += (coef·post[r])·pre then y[r] = dot(W_r, x), and y2[r] = dot(W_r, x2) when $x2 ≠ 0.
  (func (export "fused1") (param $W i32) (param $rows i32) (param $cols i32) (param $coef f64) (param $post i32) (param $pre i32)
        (param $x i32) (param $y i32) (param $x2 i32) (param $y2 i32)
    (local $r i32) (local $row i32) (local $rowBytes i32) (local $a f64) (local $yo i32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 3)))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $row (i32.add (local.get $W) (i32.mul (local.get $r) (local.get $rowBytes))))
      ;; post is read only when an update is pending (non-plastic projections pass an empty array)
      (local.set $a (f64.const 0))
      (if (f64.ne (local.get $coef) (f64.const 0))
        (then (local.set $a (f64.mul (local.get $coef) (f64.load (i32.add (local.get $post) (i32.shl (local.get $r) (i32.const 3))))))))
      (local.set $yo (i32.shl (local.get $r) (i32.const 3)))
      (if (i32.eqz (local.get $x2))
        (then
          (if (f64.ne (local.get $a) (f64.const 0))
            (then (f64.store (i32.add (local.get $y) (local.get $yo))
                    (call $update_dot (local.get $row) (local.get $pre) (local.get $x) (local.get $cols) (local.get $a))))
            (else (f64.store (i32.add (local.get $y) (local.get $yo))
                    (call $dot (local.get $row) (local.get $x) (local.get $cols))))))
        (else
          (if (f64.ne (local.get $a) (f64.const 0))
            (then (f64.store (i32.add (local.get $y) (local.get $yo))
                    (call $update_dot2 (local.get $row) (local.get $pre) (local.get $x) (local.get $x2) (local.get $cols) (local.get $a)
                      (i32.add (local.get $y2) (local.get $yo)))))
            (else (f64.store (i32.add (local.get $y) (local.get $yo))
                    (call $dot2 (local.get $row) (local.get $x) (local.get $x2) (local.get $cols) (i32.add (local.get $y2) (local.get $yo))))))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  ;; y_b = Wᵀ x_b for every sample: y zeroed, then for each row r and sample b, y_b += x_b[r] · W_r
  ;; (rows in order; zero factors skipped).
  (func (export "gemvT") (param $W i32) (param $rows i32) (param $cols i32) (param $B i32) (param $x i32) (param $y i32)
    (local $r i32) (local $b i32) (local $row i32) (local $rowBytes i32) (local $a f64) (local $i i32) (local $end i32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 3)))
    (local.set $i (local.get $y))
    (local.set $end (i32.add (local.get $y) (i32.mul (local.get $B) (local.get $rowBytes))))
    (block $zd (loop $zl
      (br_if $zd (i32.ge_u (local.get $i) (local.get $end)))
      (f64.store (local.get $i) (f64.const 0))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br $zl)))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $row (i32.add (local.get $W) (i32.mul (local.get $r) (local.get $rowBytes))))
      (local.set $b (i32.const 0))
      (block $bd (loop $bl
        (br_if $bd (i32.ge_u (local.get $b) (local.get $B)))
        (local.set $a (f64.load (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $b) (local.get $rows)) (local.get $r)) (i32.const 3)))))
        (if (f64.ne (local.get $a) (f64.const 0))
          (then (call $axpy (i32.add (local.get $y) (i32.mul (local.get $b) (local.get $rowBytes))) (local.get $row) (local.get $cols) (local.get $a))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bl)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  ;; Batched pass, one row at a time so the row stays in cache: W_r += Σ_b (coef·post[b·rows + r])·pre_b
  ;; (samples in order, zero factors skipped), then y[b·rows + r] = dot(W_r, x_b) and, when $x2 ≠ 0,
  ;; y2[b·rows + r] = dot(W_r, x2_b). Same arithmetic as rankUpdate followed by gemv.
  (func (export "fusedBatch") (param $W i32) (param $rows i32) (param $cols i32) (param $B i32) (param $coef f64)
        (param $post i32) (param $pre i32) (param $x i32) (param $y i32) (param $x2 i32) (param $y2 i32)
    (local $r i32) (local $b i32) (local $row i32) (local $rowBytes i32) (local $a f64) (local $yo i32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 3)))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $row (i32.add (local.get $W) (i32.mul (local.get $r) (local.get $rowBytes))))
      (if (f64.ne (local.get $coef) (f64.const 0))
        (then
          (local.set $b (i32.const 0))
          (block $ud (loop $ul
            (br_if $ud (i32.ge_u (local.get $b) (local.get $B)))
            (local.set $a (f64.mul (local.get $coef)
              (f64.load (i32.add (local.get $post) (i32.shl (i32.add (i32.mul (local.get $b) (local.get $rows)) (local.get $r)) (i32.const 3))))))
            (if (f64.ne (local.get $a) (f64.const 0))
              (then (call $axpy (local.get $row) (i32.add (local.get $pre) (i32.mul (local.get $b) (local.get $rowBytes))) (local.get $cols) (local.get $a))))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $ul)))))
      (local.set $b (i32.const 0))
      (block $bd (loop $bl
        (br_if $bd (i32.ge_u (local.get $b) (local.get $B)))
        (local.set $yo (i32.shl (i32.add (i32.mul (local.get $b) (local.get $rows)) (local.get $r)) (i32.const 3)))
        (if (i32.eqz (local.get $x2))
          (then (f64.store (i32.add (local.get $y) (local.get $yo))
            (call $dot (local.get $row) (i32.add (local.get $x) (i32.mul (local.get $b) (local.get $rowBytes))) (local.get $cols))))
          (else (f64.store (i32.add (local.get $y) (local.get $yo))
            (call $dot2 (local.get $row) (i32.add (local.get $x) (i32.mul (local.get $b) (local.get $rowBytes)))
              (i32.add (local.get $x2) (i32.mul (local.get $b) (local.get $rowBytes))) (local.get $cols) (i32.add (local.get $y2) (local.get $yo))))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bl)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))
)
