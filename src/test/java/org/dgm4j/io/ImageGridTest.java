package org.dgm4j.io;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageGridTest {
    @TempDir
    Path dir;

    private static int grey(BufferedImage img, int x, int y) {
        return img.getRaster().getSample(x, y, 0);
    }

    @Test
    void greyGridHasMakeGridLayoutAndRoundedClampedValues() throws IOException {
        // 5 images of 2x3, 2 per row, padding 1: 3 rows → (3*(2+1)+1) x (2*(3+1)+1) = 10 x 9
        int n = 5, h = 2, w = 3;
        float[] px = new float[n * h * w];
        for (int k = 0; k < n; k++) px[k * h * w] = k * 0.25f; // top-left pixel of image k
        px[1] = 2f; // clamped to 255
        px[2] = -1f; // clamped to 0
        px[3] = Float.NaN; // → 0
        px[4] = 0.5f; // floor(127.5 + 0.5) = 128
        Path f = dir.resolve("grid.png");
        ImageGrid.write(f, px, n, 1, h, w, 2, 1, 1f);
        BufferedImage img = ImageIO.read(f.toFile());
        assertEquals(9, img.getWidth());
        assertEquals(10, img.getHeight());
        assertEquals(255, grey(img, 0, 0), "padding has the pad value");
        for (int k = 0; k < n; k++) {
            int x0 = 1 + (k % 2) * 4, y0 = 1 + (k / 2) * 3;
            assertEquals(ImageGrid.toByte(k * 0.25f), grey(img, x0, y0), "image " + k);
        }
        assertEquals(255, grey(img, 2, 1));
        assertEquals(0, grey(img, 3, 1));
        assertEquals(0, grey(img, 1, 2));
        assertEquals(128, grey(img, 2, 2));
        assertEquals(255, grey(img, 5, 7), "empty grid cell is padding");
    }

    @Test
    void rgbTensorGridKeepsChannels() throws IOException {
        float[] px = new float[2 * 3 * 1 * 1]; // 2 images, 3 channels, 1x1
        px[0] = 1f; // image 0 red
        px[3 + 2] = 1f; // image 1 blue
        try (Tensor t = Tensor.of(px, 2, 3, 1, 1)) {
            Path f = dir.resolve("rgb.png");
            ImageGrid.write(f, t, 8, 2);
            BufferedImage img = ImageIO.read(f.toFile());
            assertEquals(2 * 3 + 2, img.getWidth());
            assertEquals(1 + 4, img.getHeight());
            assertEquals(0xFF0000, img.getRGB(2, 2) & 0xFFFFFF);
            assertEquals(0x0000FF, img.getRGB(5, 2) & 0xFFFFFF);
            assertEquals(0x000000, img.getRGB(0, 0) & 0xFFFFFF);
        }
    }

    @Test
    void rejectsOtherChannelCounts() {
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.grid(new float[2 * 4], 1, 2, 2, 2, 1, 0, 0f));
    }
}
