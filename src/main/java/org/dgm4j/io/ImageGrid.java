package org.dgm4j.io;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.dgm4j.tensor.Tensor;

/**
 * Writes a batch of images as one PNG grid, laid out like torchvision's make_grid/save_image so figures
 * compare directly: {@code nrow} images per row, {@code padding} pixels of {@code padValue} around and
 * between them, grid size (rows·(H+p)+p) × (cols·(W+p)+p) with cols = min(nrow, N),
 * rows = ceil(N / cols). Values in [0, 1] map to bytes as floor(v·255 + 0.5), clamped (NaN → 0).
 * One channel gives a grey PNG, three an RGB PNG.
 */
public final class ImageGrid {
    private ImageGrid() {}

    /** {@code images}: (N, C, H, W) with C 1 or 3, any float dtype, any backend. */
    public static void write(Path file, Tensor images, int nrow, int padding) throws IOException {
        if (images.rank() != 4) throw new IllegalArgumentException("image grid needs (N, C, H, W), found " + images.shape());
        long[] d = images.dims();
        write(file, images.toFloatArray(), Math.toIntExact(d[0]), Math.toIntExact(d[1]), Math.toIntExact(d[2]), Math.toIntExact(d[3]), nrow, padding, 0f);
    }

    /** {@code pixels}: (n, c, h, w) row-major. */
    public static void write(Path file, float[] pixels, int n, int c, int h, int w, int nrow, int padding, float padValue) throws IOException {
        writePng(file, grid(pixels, n, c, h, w, nrow, padding, padValue));
    }

    /**
     * One grid per batch, side by side, {@code gap} white pixels apart and top-aligned (e.g. the same
     * samples at several temperatures). Batches are (N, C, H, W) as in {@link #write(Path, Tensor, int, int)}.
     */
    public static void writeSideBySide(Path file, List<Tensor> batches, int nrow, int padding, int gap) throws IOException {
        if (batches.isEmpty() || gap < 0) throw new IllegalArgumentException("side-by-side grids need batches and gap >= 0, found " + batches.size() + " batches, gap " + gap);
        List<BufferedImage> grids = new ArrayList<>();
        int width = -gap, height = 0;
        boolean grey = true;
        for (Tensor t : batches) {
            if (t.rank() != 4) throw new IllegalArgumentException("image grid needs (N, C, H, W), found " + t.shape());
            long[] d = t.dims();
            BufferedImage g = grid(t.toFloatArray(), Math.toIntExact(d[0]), Math.toIntExact(d[1]), Math.toIntExact(d[2]), Math.toIntExact(d[3]), nrow, padding, 0f);
            grids.add(g);
            width += g.getWidth() + gap;
            height = Math.max(height, g.getHeight());
            grey &= d[1] == 1;
        }
        BufferedImage all = new BufferedImage(width, height, grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            int x = 0;
            for (BufferedImage panel : grids) {
                g.drawImage(panel, x, 0, null);
                x += panel.getWidth() + gap;
            }
        } finally {
            g.dispose();
        }
        writePng(file, all);
    }

    /** A PNG written beside the target and renamed, so a viewer or a crash never sees half a picture. */
    static void writePng(Path file, BufferedImage img) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(img, "png", bytes)) throw new IOException("no PNG writer in this Java runtime (module java.desktop)");
        AtomicFiles.write(file, bytes.toByteArray());
    }

    /** The grid as an image (TYPE_BYTE_GRAY for c = 1, TYPE_INT_RGB for c = 3). */
    public static BufferedImage grid(float[] pixels, int n, int c, int h, int w, int nrow, int padding, float padValue) {
        if (n <= 0 || h <= 0 || w <= 0 || nrow <= 0 || padding < 0) {
            throw new IllegalArgumentException("image grid needs n, h, w, nrow > 0 and padding >= 0, found n " + n + ", h " + h + ", w " + w + ", nrow " + nrow + ", padding " + padding);
        }
        if (c != 1 && c != 3) throw new IllegalArgumentException("image grid needs 1 (grey) or 3 (RGB) channels, found " + c);
        if ((long) n * c * h * w != pixels.length) throw new IllegalArgumentException(n + "x" + c + "x" + h + "x" + w + " images need " + (long) n * c * h * w + " values, found " + pixels.length);
        int cols = Math.min(nrow, n);
        int rows = (n + cols - 1) / cols;
        int gw = Math.toIntExact((long) cols * (w + padding) + padding);
        int gh = Math.toIntExact((long) rows * (h + padding) + padding);
        BufferedImage img = new BufferedImage(gw, gh, c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        int pad = toByte(padValue);
        int[] fill = new int[gw];
        java.util.Arrays.fill(fill, c == 1 ? pad : rgb(pad, pad, pad));
        for (int y = 0; y < gh; y++) setRow(img, y, fill, c);
        int[] row = new int[w];
        for (int k = 0; k < n; k++) {
            int x0 = padding + (k % cols) * (w + padding);
            int y0 = padding + (k / cols) * (h + padding);
            int base = k * c * h * w;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int at = base + y * w + x;
                    row[x] = c == 1 ? toByte(pixels[at]) : rgb(toByte(pixels[at]), toByte(pixels[at + h * w]), toByte(pixels[at + 2 * h * w]));
                }
                if (c == 1) img.getRaster().setSamples(x0, y0 + y, w, 1, 0, row);
                else img.setRGB(x0, y0 + y, w, 1, row, 0, w);
            }
        }
        return img;
    }

    private static void setRow(BufferedImage img, int y, int[] values, int c) {
        if (c == 1) img.getRaster().setSamples(0, y, values.length, 1, 0, values);
        else img.setRGB(0, y, values.length, 1, values, 0, values.length);
    }

    /** floor(v·255 + 0.5) clamped to 0..255, as torchvision's save_image; NaN gives 0. */
    static int toByte(float v) {
        float s = v * 255f + 0.5f;
        if (!(s > 0f)) return 0;
        return s >= 255f ? 255 : (int) s;
    }

    private static int rgb(int r, int g, int b) {
        return (r << 16) | (g << 8) | b;
    }
}
