package dev.wgmesh.proto.v1;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every rpc, message, enum, oneof, field and enum value of the contract carries its own comment: on the line directly
 * above or at the end of the line.
 */
class ContractDocumentationTest {
    private static final Pattern DECLARATION = Pattern.compile(
            "^\\s*(rpc\\s+\\w+|message\\s+\\w+|enum\\s+\\w+|oneof\\s+\\w+|(repeated\\s+)?[\\w.]+\\s+\\w+\\s*=\\s*\\d+"
                    + "|\\w+\\s*=\\s*\\d+)\\b.*");

    @Test
    void everyDeclarationIsDocumented() throws IOException {
        List<String> undocumented = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/protobuf"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".proto")).toList()) {
                undocumented.addAll(check(file));
            }
        }
        assertThat(undocumented).as("declarations without a comment").isEmpty();
    }

    @Test
    void theCheckRejectsAnUndocumentedField() throws IOException {
        Path tmp = Files.createTempFile("contract", ".proto");
        try {
            Files.writeString(tmp, "// Doc.\nmessage A {\n  // Doc.\n  string a = 1;\n  string b = 2;\n}\n");
            assertThat(check(tmp)).singleElement().asString().contains("string b = 2");
        } finally {
            Files.delete(tmp);
        }
    }

    private static List<String> check(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.trim().startsWith("//") || !DECLARATION.matcher(line).matches() || line.contains("syntax")) {
                continue;
            }
            if (line.contains("//") || documentedAbove(lines, i)) {
                continue;
            }
            bad.add(file.getFileName() + ":" + (i + 1) + ": " + line.trim());
        }
        return bad;
    }

    private static boolean documentedAbove(List<String> lines, int index) {
        return index > 0 && lines.get(index - 1).trim().startsWith("//");
    }
}
