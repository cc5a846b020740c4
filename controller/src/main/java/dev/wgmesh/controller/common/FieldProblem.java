package dev.wgmesh.controller.common;

/**
 * One rejected input field: {@code field} is the JSON path in the request body (or a query parameter name), {@code
 * message} says what is wrong in words a user can act on. Never carries the offending value when it may be secret.
 */
public record FieldProblem(String field, String message) {}
