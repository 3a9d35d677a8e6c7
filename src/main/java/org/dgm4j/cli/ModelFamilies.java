package org.dgm4j.cli;

import java.util.List;
import org.dgm4j.flow.FlowFamily;
import org.dgm4j.gan.AaeFamily;
import org.dgm4j.gan.AliFamily;
import org.dgm4j.gan.DcganFamily;
import org.dgm4j.gan.GanFamily;
import org.dgm4j.helmholtz.HelmholtzFamily;
import org.dgm4j.rbm.RbmFamily;
import org.dgm4j.train.ModelFamily;
import org.dgm4j.vae.VaeFamily;

/** Every model family {@code dgm4j train} offers, in the order help lists them; one line each. */
final class ModelFamilies {
    static final List<ModelFamily> ALL = List.of(
            new VaeFamily(),
            new GanFamily(),
            new DcganFamily(),
            new AaeFamily(),
            new AliFamily(),
            new HelmholtzFamily(),
            new RbmFamily(),
            FlowFamily.glow(),
            FlowFamily.realNvp(),
            FlowFamily.nice(),
            FlowFamily.realNvp2d());

    private ModelFamilies() {}

    static List<String> names() {
        return ALL.stream().map(ModelFamily::name).toList();
    }

    /** The family named {@code name}, or null. */
    static ModelFamily byName(String name) {
        return ALL.stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
    }
}
