#!/usr/bin/env python3
"""Writes the image-folder test inputs with an independent encoder (Pillow), and Pillow's own decode of each file.

Usage: write_image_folders.py OUT   (OUT is created; needs numpy and Pillow: `python3 -m pip install --user Pillow`)

OUT/decode/NAME.{png,jpg}  one file per PNG/JPEG variant, from UCI digits (fixtures/uci-digits) and Fashion-MNIST
                           (/usr/share/datasets/fashion-mnist, when installed) images;
OUT/decode/NAME.raw        Pillow's decode: Image.open(f).convert(mode) bytes, mode L for gray files, RGB otherwise;
OUT/decode/NAME.shape      "width height channels";
OUT/decode/NAME.L.raw      for RGB files, Pillow's convert("L") (ITU-R 601-2 luma in its fixed point);
OUT/resize/NAME.S.f32      the area-average resize of NAME to S x S as Reprise documents it (ImageFile.resized),
                           computed here with exact integers in numpy: little-endian float32;
OUT/bad/*                  files every decoder must refuse (truncated, not an image, 16-bit, alpha, tRNS, CMYK);
OUT/split/<class>/*        a one-pool dataset (3 classes of digits, PNG and JPEG mixed);
OUT/parts/{train,test}/<class>/*  a two-part dataset (the same classes);
OUT/emptyclass/<class>/*   a pool whose last class folder holds no image.
"""
import gzip
import io
import os
import sys

import numpy as np
from PIL import Image

out = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
digits_csv = os.path.join(here, "..", "..", "fixtures", "uci-digits", "digits.csv.gz")
rows = np.loadtxt(gzip.open(digits_csv, "rt"), delimiter=",", dtype=np.int64)
digits = (rows[:, :64].reshape(-1, 8, 8) * 255 // 16).astype(np.uint8)
labels = rows[:, 64]


def fashion(n):
    path = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
    if not os.path.exists(path):
        return []
    data = gzip.open(path).read()
    return [np.frombuffer(data, np.uint8, 784, 16 + 784 * i).reshape(28, 28) for i in range(n)]


def upscale(a, f):
    return np.kron(a, np.ones((f, f), dtype=np.uint8))


def tinted(a):  # a gray digit made RGB with three different channels, so channel order matters
    g = a.astype(np.int64)
    return np.stack([g, 255 - g, (g * 3 + 40) % 256], axis=-1).astype(np.uint8)


def mkdir(*p):
    d = os.path.join(out, *p)
    os.makedirs(d, exist_ok=True)
    return d


def save_decoded(path, name, d):
    img = Image.open(path)
    mode = "L" if img.mode in ("L", "1") else "RGB"  # palette (P) files decode to RGB, as libpng expands them
    pixels = img.convert(mode)
    open(os.path.join(d, name + ".raw"), "wb").write(pixels.tobytes())
    open(os.path.join(d, name + ".shape"), "w").write(f"{pixels.width} {pixels.height} {1 if mode == 'L' else 3}\n")
    if mode == "RGB":
        open(os.path.join(d, name + ".L.raw"), "wb").write(pixels.convert("L").tobytes())


# --- decode variants
d = mkdir("decode")
g8 = upscale(digits[0], 3)                    # 24 x 24 gray
rgb = np.repeat(np.repeat(tinted(digits[1]), 2, axis=0), 2, axis=1)

odd = np.repeat(np.repeat(tinted(digits[2]), 3, axis=0), 2, axis=1)[:, :15]  # 24 x 15: odd width for 4:2:x chroma
variants = {
    "gray8": (Image.fromarray(g8, "L"), "png", {}),
    "gray1": (Image.fromarray(g8, "L").point(lambda v: 255 if v > 127 else 0).convert("1"), "png", {}),
    "palette4": (Image.fromarray(g8, "L").convert("P", palette=Image.ADAPTIVE, colors=16), "png", {"bits": 4}),
    "rgb": (Image.fromarray(rgb, "RGB"), "png", {}),
    "palette": (Image.fromarray(rgb, "RGB").convert("P", palette=Image.ADAPTIVE, colors=12), "png", {}),
    "jpeg_gray": (Image.fromarray(g8, "L"), "jpg", {"quality": 90}),
    "jpeg_420": (Image.fromarray(rgb, "RGB"), "jpg", {"quality": 85, "subsampling": 2}),
    "jpeg_422": (Image.fromarray(odd, "RGB"), "jpg", {"quality": 85, "subsampling": 1}),
    "jpeg_444": (Image.fromarray(odd, "RGB"), "jpg", {"quality": 95, "subsampling": 0}),
    "jpeg_progressive": (Image.fromarray(odd, "RGB"), "jpg", {"quality": 80, "progressive": True}),
}
for i, f in enumerate(fashion(2)):
    variants[f"fashion{i}_png"] = (Image.fromarray(f, "L"), "png", {})
    variants[f"fashion{i}_jpg"] = (Image.fromarray(f, "L"), "jpg", {"quality": 75})
for name, (img, ext, options) in variants.items():
    path = os.path.join(d, f"{name}.{ext}")
    img.save(path, **options)
    save_decoded(path, name, d)

# --- the documented area-average resize, with exact integers
r = mkdir("resize")


def area_resize(a, side):
    h, w = a.shape[:2]
    a = a.reshape(h, w, -1).astype(np.int64)

    def overlaps(n):
        m = np.zeros((side, n), dtype=np.int64)
        for i in range(side):
            lo, hi = i * n, (i + 1) * n
            for k in range(lo // side, (hi - 1) // side + 1):
                m[i, k] = min(hi, (k + 1) * side) - max(lo, k * side)
        return m

    R, C = overlaps(h), overlaps(w)
    sums = np.einsum("ir,rck,jc->ijk", R, a, C)  # exact int64
    return (sums.astype(np.float64) / float(h * w * 255)).astype(np.float32)


for name, a in {"gray8": g8, "rgb": rgb, "odd": odd}.items():
    for side in (5, 8, 16, 40):
        area_resize(a, side).astype("<f4").tofile(os.path.join(r, f"{name}.{side}.f32"))
        Image.fromarray(a).save(os.path.join(r, f"{name}.png"))

# --- bad files
b = mkdir("bad")
good_jpeg = io.BytesIO(); Image.fromarray(rgb, "RGB").save(good_jpeg, "JPEG", quality=90)
good_png = io.BytesIO(); Image.fromarray(rgb, "RGB").save(good_png, "PNG")
open(os.path.join(b, "truncated.jpg"), "wb").write(good_jpeg.getvalue()[: len(good_jpeg.getvalue()) // 2])
open(os.path.join(b, "truncated.png"), "wb").write(good_png.getvalue()[: len(good_png.getvalue()) // 2])
open(os.path.join(b, "notimage.png"), "w").write("label,value\n1,2\n")
open(os.path.join(b, "empty.jpg"), "wb").write(b"")
Image.fromarray(g8.astype(np.uint16) * 257).save(os.path.join(b, "deep16.png"))
Image.fromarray(np.dstack([rgb, np.full(rgb.shape[:2], 200, np.uint8)]), "RGBA").save(os.path.join(b, "rgba.png"))
Image.fromarray(np.dstack([g8, g8]), "LA").save(os.path.join(b, "gray_alpha.png"))
p = Image.fromarray(rgb, "RGB").convert("P", palette=Image.ADAPTIVE, colors=8); p.info["transparency"] = 0
p.save(os.path.join(b, "trns.png"), transparency=0)
Image.fromarray(rgb, "RGB").convert("CMYK").save(os.path.join(b, "cmyk.jpg"), quality=90)

# --- datasets: 3 classes of digits, 8 images each, PNG and JPEG mixed
def write_class_images(folder, cls, indices):
    os.makedirs(folder, exist_ok=True)
    for j, i in enumerate(indices):
        img = Image.fromarray(upscale(digits[i], 2), "L")
        if j % 3 == 2:
            img.save(os.path.join(folder, f"{i:04d}.jpg"), quality=90)
        else:
            img.save(os.path.join(folder, f"{i:04d}.png"))


names = {0: "zero", 1: "one", 7: "seven"}
for label, cls in names.items():
    idx = np.flatnonzero(labels == label)
    write_class_images(os.path.join(out, "split", cls), cls, idx[:8])
    write_class_images(os.path.join(out, "parts", "train", cls), cls, idx[:6])
    write_class_images(os.path.join(out, "parts", "test", cls), cls, idx[6:9])
    write_class_images(os.path.join(out, "emptyclass", cls), cls, idx[:4])
os.makedirs(os.path.join(out, "emptyclass", "zzz-empty"), exist_ok=True)
open(os.path.join(out, "split", ".DS_Store"), "w").write("ignored: starts with a dot\n")
print("wrote", out)
