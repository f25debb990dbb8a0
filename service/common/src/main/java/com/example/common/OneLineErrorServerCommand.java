package com.example.common;

import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ServerCommand;
import net.sourceforge.argparse4j.inf.Namespace;

/** The standard {@code server} command, reporting a failed start as one line on stderr. */
public final class OneLineErrorServerCommand<C extends Configuration> extends ServerCommand<C> {

  private final String service;

  public OneLineErrorServerCommand(Application<C> application) {
    super(application);
    this.service = application.getName();
  }

  @Override
  public void onError(Cli cli, Namespace namespace, Throwable error) {
    cli.getStdErr().println(StartupErrors.describe(service, error));
  }
}
