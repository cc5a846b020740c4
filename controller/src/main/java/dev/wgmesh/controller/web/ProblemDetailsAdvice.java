package dev.wgmesh.controller.web;

import dev.wgmesh.controller.common.ConflictException;
import dev.wgmesh.controller.common.FieldProblem;
import dev.wgmesh.controller.common.InvalidInputException;
import dev.wgmesh.controller.common.NotFoundException;
import dev.wgmesh.controller.common.PreconditionFailedException;
import dev.wgmesh.controller.common.UnprocessableException;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.orm.ObjectOptimisticLockingFailureException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;

/**
 * The one place where errors become HTTP answers: RFC 9457 problem details, with an {@code errors} array of
 * {@code {field, message}} for input problems. Spring MVC's own exceptions (unsupported media type, missing
 * parameter, ...) get the same shape from {@link ResponseEntityExceptionHandler}. Anything unexpected is logged with
 * its stack trace and answered with a generic 500 that reveals nothing about the internals.
 */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

    @ExceptionHandler(InvalidInputException.class)
    ProblemDetail invalid(InvalidInputException ex) {
        return problem(HttpStatus.BAD_REQUEST, "Invalid request", ex.getMessage(), ex.problems());
    }

    @ExceptionHandler(ConflictException.class)
    ProblemDetail conflict(ConflictException ex) {
        return problem(HttpStatus.CONFLICT, "Conflict", ex.getMessage(), ex.problems());
    }

    @ExceptionHandler(NotFoundException.class)
    ProblemDetail notFound(NotFoundException ex) {
        return problem(HttpStatus.NOT_FOUND, "Not found", ex.getMessage(), List.of());
    }

    @ExceptionHandler(PreconditionFailedException.class)
    ProblemDetail preconditionFailed(PreconditionFailedException ex) {
        return problem(HttpStatus.PRECONDITION_FAILED, "Precondition failed", ex.getMessage(), List.of());
    }

    @ExceptionHandler(UnprocessableException.class)
    ProblemDetail unprocessable(UnprocessableException ex) {
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, "Unprocessable", ex.getMessage(), List.of());
    }

    /** A concurrent write won between our read and our write: 412 if the client asked for a version, else 409. */
    @ExceptionHandler(ObjectOptimisticLockingFailureException.class)
    ProblemDetail concurrentUpdate(ObjectOptimisticLockingFailureException ex, WebRequest request) {
        return request.getHeader(HttpHeaders.IF_MATCH) != null
                ? problem(
                        HttpStatus.PRECONDITION_FAILED,
                        "Precondition failed",
                        "the resource changed concurrently; re-read it and retry",
                        List.of())
                : problem(
                        HttpStatus.CONFLICT,
                        "Conflict",
                        "the resource changed concurrently; re-read it and retry",
                        List.of());
    }

    /** A constraint no feature translated: still a conflict, but say nothing about tables or columns. */
    @ExceptionHandler(DataIntegrityViolationException.class)
    ProblemDetail integrity(DataIntegrityViolationException ex) {
        log.warn(
                "Untranslated integrity violation: {}",
                ex.getMostSpecificCause().getMessage());
        return problem(HttpStatus.CONFLICT, "Conflict", "the request conflicts with stored data", List.of());
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ProblemDetail typeMismatch(MethodArgumentTypeMismatchException ex) {
        String expected = ex.getRequiredType() == null ? "a valid value" : describe(ex.getRequiredType());
        return problem(
                HttpStatus.BAD_REQUEST,
                "Invalid request",
                ex.getName() + ": must be " + expected,
                List.of(new FieldProblem(ex.getName(), "must be " + expected)));
    }

    /**
     * Exceptions of Spring Security (access denied, authentication required) are rethrown untouched, so the security
     * filter chain answers them with 401/403; this advice must not turn them into 500s. Matched by name so this
     * package does not depend on Spring Security.
     */
    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception ex) throws Exception {
        if (ex.getClass().getName().startsWith("org.springframework.security.")) {
            throw ex;
        }
        log.error("Unexpected error", ex);
        return problem(
                HttpStatus.INTERNAL_SERVER_ERROR,
                "Internal error",
                "the server failed to handle the request; the error has been logged",
                List.of());
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof RequestBodyTooLargeException tooLarge) {
                return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
                        .body(problem(
                                HttpStatus.CONTENT_TOO_LARGE, "Content Too Large", tooLarge.getMessage(), List.of()));
            }
        }
        return ResponseEntity.badRequest().body(unreadable(ex));
    }

    /** Says where the body went wrong without echoing Jackson's internal type names. */
    private static ProblemDetail unreadable(HttpMessageNotReadableException ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof DatabindException db && !db.getPath().isEmpty()) {
                String field = db.getPath().stream()
                        .map(r -> r.getPropertyName() != null ? r.getPropertyName() : "[" + r.getIndex() + "]")
                        .collect(Collectors.joining("."))
                        .replace(".[", "[");
                String message = db instanceof tools.jackson.databind.exc.UnrecognizedPropertyException
                        ? "is not a known field"
                        : "has the wrong type or format";
                return problem(
                        HttpStatus.BAD_REQUEST,
                        "Invalid request",
                        field + ": " + message,
                        List.of(new FieldProblem(field, message)));
            }
            if (t instanceof JacksonException je && je.getLocation() != null) {
                return problem(
                        HttpStatus.BAD_REQUEST,
                        "Malformed JSON",
                        "malformed JSON at line " + je.getLocation().getLineNr() + ", column "
                                + je.getLocation().getColumnNr(),
                        List.of());
            }
        }
        return problem(
                HttpStatus.BAD_REQUEST, "Malformed JSON", "the request body is missing or not valid JSON", List.of());
    }

    private static String describe(Class<?> type) {
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.toString(type.getEnumConstants());
        }
        return switch (type.getSimpleName()) {
            case "UUID" -> "a UUID";
            case "Boolean", "boolean" -> "true or false";
            case "Integer", "int", "Long", "long" -> "an integer";
            default -> "a valid value";
        };
    }

    private static ProblemDetail problem(HttpStatus status, String title, String detail, List<FieldProblem> errors) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
        p.setTitle(title);
        if (!errors.isEmpty()) {
            p.setProperty("errors", errors);
        }
        return p;
    }
}
