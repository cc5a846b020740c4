package dev.wgmesh.controller.common;

import java.util.List;

/**
 * The request contradicts the stored state (HTTP 409): a duplicate name or key, an address already taken, a network
 * that still has peers. {@code field} names the request field at fault, or is null when no single field is.
 */
public class ConflictException extends RuntimeException {
    private final String field;

    public ConflictException(String field, String message) {
        super(message);
        this.field = field;
    }

    public List<FieldProblem> problems() {
        return field == null ? List.of() : List.of(new FieldProblem(field, getMessage()));
    }
}
