package org.dgm4j.data;

/**
 * A labelled set of 8-bit images kept as compact bytes (a 60,000-image Fashion-MNIST split is 47 MB
 * this way, four times less than as floats); batches are converted to tensors only when served.
 *
 * @param pixels  (count, channels, height, width) unsigned bytes, value {@code b & 0xFF} in 0..255
 * @param labels  (count) class indices 0..classes-1
 */
public record ImageSet(byte[] pixels, int[] labels, int count, int channels, int height, int width, int classes) {
    public ImageSet {
        if (count < 0 || channels <= 0 || height <= 0 || width <= 0 || classes <= 0) {
            throw new IllegalArgumentException("bad image set sizes: count " + count + ", " + channels + "x" + height + "x" + width + ", classes " + classes);
        }
        if ((long) count * channels * height * width != pixels.length) {
            throw new IllegalArgumentException(count + " images of " + channels + "x" + height + "x" + width + " need "
                    + (long) count * channels * height * width + " pixels, found " + pixels.length);
        }
        if (labels.length != count) throw new IllegalArgumentException(count + " images but " + labels.length + " labels");
        for (int i = 0; i < count; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + i + " is " + labels[i] + ", expected 0.." + (classes - 1));
            }
        }
    }

    /** Pixels per image: channels × height × width. */
    public int imageSize() {
        return channels * height * width;
    }

    /** The value 0..255 of one pixel. */
    public int pixel(int image, int indexInImage) {
        return pixels[image * imageSize() + indexInImage] & 0xFF;
    }

    /** The images at {@code indices}, in that order, as (indices.length, C, H, W) unsigned bytes. */
    public byte[] gatherPixels(int[] indices) {
        int size = imageSize();
        byte[] out = new byte[Math.multiplyExact(indices.length, size)];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, Math.multiplyExact(checkIndex(indices[i]), size), out, i * size, size);
        }
        return out;
    }

    /** The labels at {@code indices}, in that order. */
    public int[] gatherLabels(int[] indices) {
        int[] out = new int[indices.length];
        for (int i = 0; i < indices.length; i++) out[i] = labels[checkIndex(indices[i])];
        return out;
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= count) throw new IndexOutOfBoundsException("image index " + i + " outside 0.." + (count - 1));
        return i;
    }
}
