package dev.wgmesh.controller.config;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import dev.wgmesh.controller.common.UnprocessableException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * QR codes of config text (ISO/IEC 18004, byte mode, ISO-8859-1: the configs are ASCII, so no ECI header that some
 * phone scanners mishandle). Error correction M when it fits, else L; a 4-module quiet zone as the standard asks.
 */
final class QrCodes {
    private static final int QUIET_ZONE = 4;
    private static final int PIXELS_PER_MODULE = 6;

    private QrCodes() {}

    static BitMatrix matrix(String text) {
        for (ErrorCorrectionLevel level : new ErrorCorrectionLevel[] {ErrorCorrectionLevel.M, ErrorCorrectionLevel.L}) {
            try {
                return new QRCodeWriter()
                        .encode(
                                text,
                                BarcodeFormat.QR_CODE,
                                0,
                                0,
                                Map.of(EncodeHintType.ERROR_CORRECTION, level, EncodeHintType.MARGIN, QUIET_ZONE));
            } catch (WriterException ex) {
                // too large at this level: try the next, lower one
            }
        }
        throw new UnprocessableException(
                "the config (" + text.length() + " bytes) is too large for a QR code; download the file instead");
    }

    static byte[] png(String text) {
        BitMatrix m = matrix(text);
        int w = m.getWidth() * PIXELS_PER_MODULE;
        int h = m.getHeight() * PIXELS_PER_MODULE;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, m.get(x / PIXELS_PER_MODULE, y / PIXELS_PER_MODULE) ? 0xFF000000 : 0xFFFFFFFF);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    /** One path of horizontal runs of dark modules: compact and crisp at any scale. */
    static String svg(String text) {
        BitMatrix m = matrix(text);
        StringBuilder d = new StringBuilder();
        for (int y = 0; y < m.getHeight(); y++) {
            for (int x = 0; x < m.getWidth(); ) {
                if (!m.get(x, y)) {
                    x++;
                    continue;
                }
                int start = x;
                while (x < m.getWidth() && m.get(x, y)) {
                    x++;
                }
                d.append('M')
                        .append(start)
                        .append(' ')
                        .append(y)
                        .append('h')
                        .append(x - start)
                        .append("v1h-")
                        .append(x - start)
                        .append('z');
            }
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + m.getWidth() + " " + m.getHeight()
                + "\" width=\"" + m.getWidth() * PIXELS_PER_MODULE + "\" height=\"" + m.getHeight() * PIXELS_PER_MODULE
                + "\" shape-rendering=\"crispEdges\">"
                + "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
                + "<path fill=\"#000\" d=\"" + d + "\"/></svg>\n";
    }
}
