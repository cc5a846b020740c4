package dev.wgmesh.controller.mesh;

import dev.wgmesh.controller.common.ConflictException;
import dev.wgmesh.controller.common.FieldProblem;
import java.util.List;

/**
 * A mesh spec that is well-formed but cannot work (HTTP 409): overlapping LAN prefixes, a hub-and-spoke mesh
 * without hub, a site nobody can reach. Each problem names the request field and explains the conflict.
 */
public class MeshConflictException extends ConflictException {
    private final List<FieldProblem> problems;

    public MeshConflictException(List<FieldProblem> problems) {
        super(
                null,
                problems.size() == 1
                        ? problems.getFirst().field() + ": "
                                + problems.getFirst().message()
                        : problems.size() + " conflicts in the mesh spec");
        this.problems = List.copyOf(problems);
    }

    @Override
    public List<FieldProblem> problems() {
        return problems;
    }
}
