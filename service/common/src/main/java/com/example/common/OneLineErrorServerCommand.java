package com.example.common;

import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ServerCommand;
import java.util.Map;
import net.sourceforge.argparse4j.inf.Namespace;

/** The standard {@code server} command, reporting a failed start as one line on stderr. */
public final class OneLineErrorServerCommand<C extends Configuration> extends ServerCommand<C> {

  private final String service;
  private final Map<String, String> variables;

  /**
   * @param variables configuration paths to the environment variables that set them
   */
  public OneLineErrorServerCommand(Application<C> application, Map<String, String> variables) {
    super(application);
    this.service = application.getName();
    this.variables = Map.copyOf(variables);
  }

  @Override
  public void onError(Cli cli, Namespace namespace, Throwable error) {
    cli.getStdErr().println(StartupErrors.describe(service, error, variables));
  }
}
