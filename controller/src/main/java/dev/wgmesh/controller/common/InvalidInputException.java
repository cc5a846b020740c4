package dev.wgmesh.controller.common;

import java.util.List;

/** The request is well-formed but its content is invalid (HTTP 400); nothing was stored. */
public class InvalidInputException extends RuntimeException {
    private final List<FieldProblem> problems;

    public InvalidInputException(List<FieldProblem> problems) {
        super(summary(problems));
        this.problems = List.copyOf(problems);
    }

    public InvalidInputException(String field, String message) {
        this(List.of(new FieldProblem(field, message)));
    }

    public List<FieldProblem> problems() {
        return problems;
    }

    private static String summary(List<FieldProblem> problems) {
        return problems.size() == 1
                ? problems.getFirst().field() + ": " + problems.getFirst().message()
                : problems.size() + " invalid fields";
    }
}
